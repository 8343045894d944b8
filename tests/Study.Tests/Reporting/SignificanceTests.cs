using Study.Client.Reporting;
using Study.Grains;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Reporting;

/// <summary>
/// The statistics behind every stated difference, against values worked out by hand (Student's t with 2 degrees of
/// freedom has closed forms: CDF 1/2 + t / (2√(t² + 2)), 97.5% quantile 0.95 / √(2 · 0.975 · 0.025)) and, for a
/// larger sample, against scipy 1.10 (stats.ttest_rel, stats.t.ppf).
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class SignificanceTests
{
    [Fact]
    public void APairedTTestMatchesTheHandComputedValues()
    {
        // Differences −1, −2, −2: mean −5/3, sd √(1/3), t = −5 on 2 degrees of freedom, p = 1 − 5/√27.
        var r = Significance.PairedT([(1, 2), (2, 4), (3, 5)])!;
        Assert.Equal(3, r.Pairs);
        Assert.Equal(-5.0 / 3, r.MeanDifference, 12);
        Assert.Equal(-5, r.T, 10);
        Assert.Equal(1 - 5 / Math.Sqrt(27), r.P, 10);

        // scipy: ttest_rel([0.8287, 0.8250, 0.8330, 0.8301], [0.8215, 0.8190, 0.8260, 0.8302]) = (2.907349565843793, 0.06213014039245209)
        var s = Significance.PairedT([(0.8287, 0.8215), (0.8250, 0.8190), (0.8330, 0.8260), (0.8301, 0.8302)])!;
        Assert.Equal(2.907349565843793, s.T, 9);
        Assert.Equal(0.06213014039245209, s.P, 9);
    }

    [Fact]
    public void APairedTTestNeedsTwoPairsAndReadsIdenticalDifferencesAsCertain()
    {
        Assert.Null(Significance.PairedT([(1, 2)]));
        Assert.Null(Significance.PairedT([]));
        var same = Significance.PairedT([(2, 1), (3, 2)])!;
        Assert.Equal((double.PositiveInfinity, 0.0), (same.T, same.P));
        var none = Significance.PairedT([(1, 1), (2, 2)])!;
        Assert.Equal((0.0, 1.0), (none.T, none.P));
    }

    [Fact]
    public void TheIntervalIsStudentsAtNinetyFivePercent()
    {
        // [1, 2, 3]: mean 2, sd 1, half-width t(0.975, 2) / √3 with t(0.975, 2) = 0.95 / √(2 · 0.975 · 0.025).
        var s = SeedSummary.Of([1, 2, 3])!;
        double half = 0.95 / Math.Sqrt(2 * 0.975 * 0.025) / Math.Sqrt(3);
        Assert.Equal(2 - half, s.Low95!.Value, 9);
        Assert.Equal(2 + half, s.High95!.Value, 9);
        // scipy: mean ∓ stats.t.ppf(0.975, 3) · sd / 2 for [3.1, 2.9, 3.4, 3.0]
        var four = SeedSummary.Of([3.1, 2.9, 3.4, 3.0])!;
        Assert.Equal(0.21602468994692867, four.Sd, 12);
        Assert.Equal(2.7562565118141094, four.Low95!.Value, 9);
        Assert.Equal(3.443743488185891, four.High95!.Value, 9);
        Assert.Null(SeedSummary.Of([0.5])!.Low95);
    }

    [Fact]
    public void HolmAdjustsStepDownAndStaysMonotoneAndAtMostOne()
    {
        // Sorted 0.01, 0.03, 0.04: × 3 = 0.03, × 2 = 0.06, × 1 = 0.04 → raised to 0.06; returned in the order given.
        Assert.Equal([0.03, 0.06, 0.06], Significance.Holm([0.01, 0.04, 0.03]).Select(p => Math.Round(p, 12)));
        Assert.Equal([1.0, 1.0], Significance.Holm([0.5, 0.6]));
        Assert.Equal([0.02], Significance.Holm([0.02]));
        Assert.Empty(Significance.Holm([]));
    }

    [Fact]
    public void TheBestTauIsTestedAgainstEachOtherOnTheSeedsTheyShare()
    {
        SeedValue V(double tau, long seed, double value) => new(tau, seed, value);
        var contrast = BestTauContrast.Of([
            V(0.1, 1, 0.70), V(0.1, 2, 0.71), V(0.1, 3, 0.69),
            V(0.3, 1, 0.80), V(0.3, 2, 0.82), V(0.3, 3, 0.81),
            V(1.0, 2, 0.79), V(1.0, 3, 0.83), V(1.0, 4, 0.60),   // shares seeds 2 and 3 with the best
            V(2.0, 9, 0.50),                                     // shares none
        ])!;
        Assert.Equal(0.3, contrast.Best.Tau);
        Assert.Equal([0.1, 1.0, 2.0], contrast.Others.Select(o => o.Setting.Tau));
        var low = contrast.Others[0];
        var direct = Significance.PairedT([(0.80, 0.70), (0.82, 0.71), (0.81, 0.69)])!;
        var pair = Significance.PairedT([(0.82, 0.79), (0.81, 0.83)])!;
        Assert.Equal((3, direct.P), (low.Pairs, low.P!.Value));
        Assert.Equal((2, pair.P), (contrast.Others[1].Pairs, contrast.Others[1].P!.Value));
        Assert.Equal(Significance.Holm([direct.P, pair.P]), new[] { low.PHolm!.Value, contrast.Others[1].PHolm!.Value });
        Assert.Equal((0, (double?)null), (contrast.Others[2].Pairs, contrast.Others[2].PHolm));
        Assert.False(contrast.Decided);
    }
}
