namespace Study.Grains.Pruning;

/// <summary>
/// Whether a running trial should stop early (the scheduler, in Ray Tune's terms), judged on the per-epoch
/// validation kNN accuracy of every trial of the study (higher is better).
/// </summary>
public interface ITrialPruner
{
    /// <param name="history">each trial's values by epoch, including this report's</param>
    /// <param name="completed">the trials that have run all their epochs and been evaluated</param>
    bool ShouldPrune(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed);

    /// <summary>Why a trial this pruner stopped was stopped, for the report ("its validation kNN accuracy was …").</summary>
    string PruneReason { get; }
}
