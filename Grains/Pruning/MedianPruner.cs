namespace Study.Grains.Pruning;

/// <summary>
/// Optuna's <c>MedianPruner</c>: a trial stops when the best value it has reached so far is below the median of the
/// values that completed trials had at the same epoch. Nothing is pruned until <see cref="StartupTrials"/> trials have
/// completed, nor at or before epoch <see cref="WarmupEpochs"/>; the last epoch is never pruned (nothing is left
/// to save).
/// </summary>
public sealed class MedianPruner(int startupTrials = Defaults.MedianStartupTrials, int warmupEpochs = Defaults.MedianWarmupEpochs) : ITrialPruner
{
    public int StartupTrials { get; } = startupTrials;
    public int WarmupEpochs { get; } = warmupEpochs;

    public string PruneReason => "its best validation kNN accuracy so far was below the median of the completed trials at that epoch";

    public EpochVerdict Decide(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed) => Below(trialId, epoch, totalEpochs, history, completed) ? EpochVerdict.Prune : EpochVerdict.Continue;

    bool Below(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed)
    {
        if (epoch >= totalEpochs || epoch <= WarmupEpochs || completed.Count < StartupTrials) return false;
        var peers = completed.Where(id => id != trialId && history.TryGetValue(id, out var h) && h.ContainsKey(epoch))
            .Select(id => history[id][epoch]).Order().ToArray();
        if (peers.Length == 0) return false;
        double median = peers.Length % 2 == 1 ? peers[peers.Length / 2] : (peers[peers.Length / 2 - 1] + peers[peers.Length / 2]) / 2;
        double bestSoFar = history[trialId].Where(e => e.Key <= epoch).Max(e => e.Value);
        return bestSoFar < median;
    }
}
