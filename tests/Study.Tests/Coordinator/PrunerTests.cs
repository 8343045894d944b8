using Study.Grains.Pruning;
using Xunit;

namespace Study.Tests.Coordinator;

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
        return pruner.ShouldPrune(trial, epoch, total, View, completed);
    }

    [Fact]
    public void AshaRungsAreGeometric()
    {
        Assert.Equal([1, 3, 9], new AshaPruner(1, 3).Rungs(27));
        Assert.Equal([1, 3], new AshaPruner(1, 3).Rungs(9));
        Assert.Equal([2, 4, 8], new AshaPruner(2, 2).Rungs(10));
        Assert.Empty(new AshaPruner(1, 3).Rungs(1));
    }

    [Fact]
    public void AshaPromotesTheTopThirdAndStopsTheRestAtEachRung()
    {
        var asha = new AshaPruner(1, 3);
        Assert.False(Report(asha, "a", 1, 0.90, 9)); // alone at rung 1: promoted
        Assert.True(Report(asha, "b", 1, 0.50, 9));  // [0.5, 0.9]: cutoff 0.77
        Assert.True(Report(asha, "c", 1, 0.70, 9));  // [0.5, 0.7, 0.9]: cutoff 0.77
        Assert.False(Report(asha, "d", 1, 0.95, 9)); // top
        Assert.False(Report(asha, "a", 2, 0.10, 9)); // epoch 2 is no rung: never stopped there
        Assert.False(Report(asha, "a", 3, 0.92, 9)); // alone at rung 3
        Assert.True(Report(asha, "d", 3, 0.80, 9));  // below a's 0.92 at rung 3
        Assert.False(Report(asha, "a", 9, 0.10, 9)); // the last epoch is no rung
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
