namespace Study.Grains.Pruning;

/// <summary>
/// Optuna's median rule: stop a trial whose value at an epoch is below the median of the other trials' values at
/// that epoch, once at least <see cref="MinimumPeers"/> of them have reached it. The last epoch is never pruned
/// (there is nothing left to save).
/// </summary>
public sealed class MedianPruner(int minimumPeers = 2) : ITrialPruner
{
    public int MinimumPeers { get; } = minimumPeers;

    public string PruneReason => "its validation kNN accuracy was below the median of its peers at that epoch";

    public bool ShouldPrune(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history)
    {
        if (epoch >= totalEpochs) return false;
        var peers = history.Where(h => h.Key != trialId && h.Value.ContainsKey(epoch)).Select(h => h.Value[epoch]).Order().ToArray();
        if (peers.Length < MinimumPeers) return false;
        double median = peers.Length % 2 == 1 ? peers[peers.Length / 2] : (peers[peers.Length / 2 - 1] + peers[peers.Length / 2]) / 2;
        return history[trialId][epoch] < median;
    }
}
