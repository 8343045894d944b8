using Study.Grains;
using Study.Grains.Sampling;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

/// <summary>
/// What every τ sampler promises the coordinator (<see cref="ITauSampler"/>), checked on each of them as the stores
/// are checked against one contract: proposals new, distinct and within the search space; the budget kept and
/// counted down; excluded values never proposed; the same seed and observations, the same proposals; and samplers
/// that do not propose on demand giving everything at once. Each search runs over one τ and over the (τ−, τ+) ranges
/// of a cosine schedule.
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class SamplerContractTests
{
    public static TheoryData<SearchKind, bool> Searches
    {
        get
        {
            var data = new TheoryData<SearchKind, bool>();
            foreach (var search in Enum.GetValues<SearchKind>()) { data.Add(search, false); data.Add(search, true); }
            return data;
        }
    }

    static readonly double[][] Ranges = [[0.05, 0.2], [0.1, 0.5], [0.2, 1.0], [0.05, 1.5], [0.5, 1.5], [0.1, 0.2]];

    static StudySpec Spec(SearchKind search, bool ranges) => new()
    {
        StudyId = "contract", Search = search, Taus = [0.05, 0.1, 0.2, 0.5, 1.0, 1.5], TausGiven = true,
        TauSchedule = ranges ? TauScheduleKind.Cosine : TauScheduleKind.Constant, TauRanges = ranges ? Ranges : null,
        Trials = search == SearchKind.Grid ? null : 6, TauMin = 0.05, TauMax = 1.5, Seed = 7,
    };

    static bool InSpace(StudySpec spec, TauSetting tau) =>
        spec.Search == SearchKind.Grid ? spec.Grid.Contains(tau) : TauSamplers.Space(spec).Contains(tau);

    /// <summary>Runs a search to its end as the coordinator does, observing a smooth objective peaked at τ = 0.3.</summary>
    static List<TauSetting> RunToEnd(ITauSampler sampler, int batch)
    {
        var all = new List<TauSetting>();
        for (int round = 0; sampler.Remaining > 0 && round < 100; round++)
        {
            int before = sampler.Remaining;
            var proposals = sampler.Propose(batch, pending: all.TakeLast(1).ToList());
            Assert.True(proposals.Count <= batch, $"{proposals.Count} proposals for {batch} asked");
            Assert.Equal(before - proposals.Count, sampler.Remaining);
            if (proposals.Count == 0) break;
            all.AddRange(proposals);
            foreach (var tau in proposals) sampler.Observe(tau, -Math.Pow(Math.Log(tau.Mean / 0.3), 2) - 0.1 * Math.Log(tau.High / tau.Low));
        }
        return all;
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public void ProposalsAreNewDistinctInTheSpaceAndExactlyTheBudget(SearchKind search, bool ranges)
    {
        var spec = Spec(search, ranges);
        var sampler = TauSamplers.Create(spec);
        Assert.Equal(spec.TrialsPerSeed, sampler.Remaining);
        var all = RunToEnd(sampler, batch: 2);
        Assert.Equal(spec.TrialsPerSeed, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, tau => Assert.True(InSpace(spec, tau), $"τ {tau} is outside the search space"));
        Assert.Equal(0, sampler.Remaining);
        Assert.Empty(sampler.Propose(3));
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public void AnExcludedTauIsNeverProposedAndCountsAgainstTheBudget(SearchKind search, bool ranges)
    {
        var spec = Spec(search, ranges);
        var sampler = TauSamplers.Create(spec);
        var first = ranges ? new TauSetting(0.1, 0.5) : 0.5;
        var second = ranges ? new TauSetting(0.05, 1.5) : 0.1;
        sampler.Exclude(first);
        sampler.Exclude(second);
        Assert.Equal(spec.TrialsPerSeed - 2, sampler.Remaining);
        var all = RunToEnd(sampler, batch: 1);
        Assert.Equal(spec.TrialsPerSeed - 2, all.Count);
        Assert.DoesNotContain(first, all);
        Assert.DoesNotContain(second, all);
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public void TheSameSeedAndObservationsGiveTheSameProposals(SearchKind search, bool ranges)
    {
        Assert.Equal(RunToEnd(TauSamplers.Create(Spec(search, ranges)), batch: 2), RunToEnd(TauSamplers.Create(Spec(search, ranges)), batch: 2));
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public void ASamplerThatDoesNotProposeOnDemandGivesEverythingAtOnce(SearchKind search, bool ranges)
    {
        var sampler = TauSamplers.Create(Spec(search, ranges));
        Assert.Equal(search == SearchKind.Adaptive, sampler.ProposesOnDemand);
        Assert.Empty(sampler.Propose(0));
        if (sampler.ProposesOnDemand) return;
        int budget = sampler.Remaining;
        Assert.Equal(budget, sampler.Propose(int.MaxValue).Count);
        Assert.Equal(0, sampler.Remaining);
    }
}
