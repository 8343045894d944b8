using Study.Grains.Pruning;
using Xunit;

namespace Study.Tests.Coordinator;

public class PrunerTests
{
    readonly Dictionary<string, Dictionary<int, double>> history = new();

    IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> View =>
        history.ToDictionary(h => h.Key, h => (IReadOnlyDictionary<int, double>)h.Value);

    bool Report(ITrialPruner pruner, string trial, int epoch, double value, int total)
    {
        if (!history.TryGetValue(trial, out var values)) history[trial] = values = new();
        values[epoch] = value;
        return pruner.ShouldPrune(trial, epoch, total, View);
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

    [Fact]
    public void MedianStopsBelowTheMedianOfPeersOnceThereAreEnough()
    {
        var median = new MedianPruner(minimumPeers: 2);
        Assert.False(Report(median, "a", 1, 0.6, 5));
        Assert.False(Report(median, "b", 1, 0.8, 5)); // one peer only
        Assert.True(Report(median, "c", 1, 0.5, 5));  // peers 0.6, 0.8: median 0.7
        Assert.False(Report(median, "d", 1, 0.75, 5)); // peers 0.5, 0.6, 0.8: median 0.6
        Assert.False(Report(median, "c", 5, 0.1, 5)); // never at the last epoch
    }

    [Fact]
    public void NoneNeverPrunes() => Assert.False(Report(new NoPruner(), "a", 1, 0, 3));
}
