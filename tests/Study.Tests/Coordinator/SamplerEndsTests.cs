using Study.Grains.Sampling;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

/// <summary>Every proposal loop ends, even when the range holds fewer 6-decimal τ than asked for (issue 10, defect
/// 1: `--tau-range 0.3:0.300001 --trials 3` used to spin a grain turn for ever).</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class SamplerEndsTests
{
    static IReadOnlyList<double> ProposeWithin(ITauSampler sampler, int count)
    {
        var proposing = Task.Run(() => sampler.Propose(count));
        Assert.True(proposing.Wait(TimeSpan.FromSeconds(20)), "Propose did not return");
        return proposing.Result.Taus();
    }

    [Theory]
    [InlineData(SearchKind.Random)]
    [InlineData(SearchKind.Adaptive)]
    public void ARangeWithTooFewValuesEndsTheSearchInsteadOfSpinning(SearchKind search)
    {
        var sampler = TauSamplers.Create(new Study.Grains.StudySpec { Search = search, Trials = 3, TauMin = 0.3, TauMax = 0.300001, Seed = 1 });
        var first = ProposeWithin(sampler, 3);
        Assert.Equal([0.3, 0.300001], first.Order());
        Assert.Empty(ProposeWithin(sampler, 1));
        Assert.Equal(0, sampler.Remaining);
    }

    [Theory]
    [InlineData(SearchKind.Random)]
    [InlineData(SearchKind.Adaptive)]
    public void ANearlyFullRangeStillGivesEveryFreeValue(SearchKind search)
    {
        // 11 values (0.100000 … 0.100010), all wanted: the last ones are found by searching, not by luck.
        var sampler = TauSamplers.Create(new Study.Grains.StudySpec { Search = search, Trials = 11, TauMin = 0.1, TauMax = 0.10001, Seed = 2 });
        var values = ProposeWithin(sampler, 11);
        Assert.Equal(11, values.Distinct().Count());
        Assert.All(values, t => Assert.InRange(t, 0.1, 0.10001));
        Assert.Equal(0, sampler.Remaining);
    }

    [Fact]
    public void TheLatticeCountsTheValuesARangeHolds()
    {
        Assert.Equal(2, TauLattice.Count(0.3, 0.300001));
        Assert.Equal(11, TauLattice.Count(0.1, 0.10001));
        Assert.Equal(1_980_001, TauLattice.Count(0.02, 2));
    }
}
