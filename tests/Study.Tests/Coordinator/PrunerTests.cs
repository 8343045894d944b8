using Study.Grains.Pruning;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

[Trait(Tier.Key, Tier.Fast)]
public class PrunerTests
{
    readonly Dictionary<string, Dictionary<int, double>> history = new();
    readonly HashSet<string> completed = [];

    IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> View =>
        history.ToDictionary(h => h.Key, h => (IReadOnlyDictionary<int, double>)h.Value);

    bool Report(ITrialPruner pruner, string trial, int epoch, double value, int total)
    {
        if (!history.TryGetValue(trial, out var values)) history[trial] = values = new();
        values[epoch] = value;
        return pruner.Decide(trial, epoch, total, View, completed) == EpochVerdict.Prune;
    }

    [Fact]
    public void AshaRungsAreGeometric()
    {
        Assert.Equal([1, 3, 9], new AshaPruner(1, 3).Rungs(27));
        Assert.Equal([1, 3], new AshaPruner(1, 3).Rungs(9));
        Assert.Equal([2, 4, 8], new AshaPruner(2, 2).Rungs(10));
        Assert.Empty(new AshaPruner(1, 3).Rungs(1));
    }

    EpochVerdict Decide(ITrialPruner pruner, string trial, int epoch, double value, int total)
    {
        if (!history.TryGetValue(trial, out var values)) history[trial] = values = new();
        values[epoch] = value;
        return pruner.Decide(trial, epoch, total, View, completed);
    }

    [Fact]
    public void AshaPausesATrialAtARungUntilItRanksInTheTopOfThoseThatReachedIt()
    {
        var asha = new AshaPruner(1, 3);
        Assert.Equal(EpochVerdict.Pause, Decide(asha, "a", 1, 0.90, 9));    // alone: the top ⌊1/3⌋ is nobody
        Assert.Equal(EpochVerdict.Pause, Decide(asha, "b", 1, 0.50, 9));
        Assert.Equal(EpochVerdict.Pause, Decide(asha, "c", 1, 0.70, 9));    // three there: the top one is a
        Assert.Equal(["a"], asha.Promotions(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }, 9, View, finishing: 0));
        Assert.Equal(EpochVerdict.Continue, Decide(asha, "a", 2, 0.91, 9)); // epoch 2 is no rung
        Assert.Equal(EpochVerdict.Continue, Decide(asha, "d", 1, 0.95, 9)); // the best of four: on at once
        Assert.Empty(asha.Promotions(new Dictionary<string, int> { ["b"] = 1, ["c"] = 1 }, 9, View, finishing: 0));
        Decide(asha, "e", 1, 0.10, 9);
        Decide(asha, "f", 1, 0.20, 9);                                          // six: the top two are d and a
        Assert.Empty(asha.Promotions(new Dictionary<string, int> { ["b"] = 1, ["c"] = 1, ["e"] = 1, ["f"] = 1 }, 9, View, finishing: 0));
        Decide(asha, "g", 1, 0.80, 9);
        Decide(asha, "h", 1, 0.30, 9);
        Decide(asha, "i", 1, 0.40, 9);                                          // nine: the top three are d, a, g
        Assert.Equal(["g"], asha.Promotions(new Dictionary<string, int> { ["b"] = 1, ["c"] = 1, ["g"] = 1 }, 9, View, finishing: 0));
        Assert.Equal(EpochVerdict.Continue, Decide(asha, "a", 9, 0.1, 9));  // the last epoch is no rung
    }

    [Fact]
    public void WhenNothingElseIsLeftAshaLetsTheBestTrialOfTheHighestRungGoOn()
    {
        var asha = new AshaPruner(1, 3);
        Decide(asha, "a", 1, 0.9, 9);
        Decide(asha, "a", 3, 0.7, 9);
        Decide(asha, "b", 1, 0.8, 9);
        Decide(asha, "b", 3, 0.75, 9);
        Decide(asha, "c", 1, 0.5, 9);   // rung 1's top one is a, past it already; rung 3 has two, its top ⌊2/3⌋ nobody
        var paused = new Dictionary<string, int> { ["a"] = 3, ["b"] = 3, ["c"] = 1 };
        Assert.Empty(asha.Promotions(paused, 9, View, finishing: 0));
        Assert.Equal(["b"], asha.Promotions(paused, 9, View, finishing: 1));
        // The end rule completes η finalists where it can: the two of rung 3 (best first), then rung 1's.
        Assert.Equal(3, asha.Finalists);
        Assert.Equal(["b", "a", "c"], asha.Promotions(paused, 9, View, finishing: 3));
        Assert.Equal(["b", "a"], asha.Promotions(paused, 9, View, finishing: 2));
    }

    /// <summary>Issue 22: promotions go out from the highest rung down, as ASHA's get_job looks for them.</summary>
    [Fact]
    public void AshaPromotesFromTheHighestRungFirst()
    {
        var asha = new AshaPruner(1, 3);
        foreach (var (trial, value) in new[] { ("a", 0.9), ("b", 0.1), ("c", 0.2), ("e", 0.3), ("f", 0.4), ("i", 0.05) }) Decide(asha, trial, 1, value, 9);
        foreach (var (trial, first, third) in new[] { ("d", 0.95, 0.85), ("g", 0.85, 0.1), ("h", 0.85, 0.2) }) { Decide(asha, trial, 1, first, 9); Decide(asha, trial, 3, third, 9); }
        // Rung 1 (9 trials): top three d, a, g; rung 3 (3 trials): top one d. Paused: a at 1, d at 3.
        Assert.Equal(["d", "a"], asha.Promotions(new Dictionary<string, int> { ["a"] = 1, ["d"] = 3 }, 9, View, finishing: 0));
    }

    [Fact]
    public void MedianAndNoneNeverPause()
    {
        Assert.NotEqual(EpochVerdict.Pause, Decide(new MedianPruner(0, 0), "a", 1, 0.5, 3));
        Assert.Empty(((ITrialPruner)new MedianPruner()).Promotions(new Dictionary<string, int> { ["a"] = 1 }, 3, View, finishing: 1));
    }

    /// <summary>Runs a trial through all its epochs and marks it completed.</summary>
    void Complete(ITrialPruner pruner, string trial, params double[] values)
    {
        for (int e = 0; e < values.Length; e++) Report(pruner, trial, e + 1, values[e], values.Length);
        completed.Add(trial);
    }

    [Fact]
    public void MedianWaitsForItsStartupTrialsThenComparesTheBestSoFarWithCompletedTrials()
    {
        var median = new MedianPruner(startupTrials: 2, warmupEpochs: 0);
        Complete(median, "a", 0.6, 0.7, 0.75);
        Assert.False(Report(median, "x", 1, 0.1, 3));  // one trial completed of the two it waits for
        Complete(median, "b", 0.8, 0.85, 0.9);
        Assert.True(Report(median, "c", 1, 0.5, 3));   // completed at epoch 1: 0.6, 0.8; median 0.7
        Assert.False(Report(median, "d", 1, 0.75, 3));
        Assert.True(Report(median, "d", 2, 0.6, 3));   // its best so far, 0.75, is below the median at epoch 2 (0.775)
        Assert.False(Report(median, "e", 1, 0.72, 3));
        Assert.False(Report(median, "g", 2, 0.80, 3)); // best so far 0.8 is above 0.775
        Assert.False(Report(median, "c", 3, 0.1, 3));  // never at the last epoch
    }

    [Fact]
    public void MedianCountsOnlyCompletedTrials()
    {
        var median = new MedianPruner(startupTrials: 2, warmupEpochs: 0);
        Complete(median, "a", 0.6, 0.6);
        Complete(median, "b", 0.8, 0.8);
        Assert.False(Report(median, "running", 1, 0.99, 2)); // still running: not a peer
        Assert.False(Report(median, "c", 1, 0.71, 2));       // median of a and b: 0.7 (with the running one it would be 0.8)
        Assert.True(Report(median, "d", 1, 0.69, 2));
    }

    [Fact]
    public void MedianPrunesNothingInItsWarmUp()
    {
        var median = new MedianPruner(startupTrials: 1, warmupEpochs: 2);
        Complete(median, "a", 0.6, 0.7, 0.8, 0.9);
        Assert.False(Report(median, "b", 1, 0.1, 4));
        Assert.False(Report(median, "b", 2, 0.1, 4));
        Assert.True(Report(median, "b", 3, 0.1, 4));
    }

    [Fact]
    public void NoneNeverPrunes() => Assert.False(Report(new NoPruner(), "a", 1, 0, 3));
}
