namespace Study.Grains.Pruning;

/// <summary>
/// Whether a running trial should stop early (the scheduler, in Ray Tune's terms), judged on the per-epoch
/// validation kNN accuracy of every trial of the study (higher is better).
/// </summary>
public interface ITrialPruner
{
    /// <param name="history">each trial's values by epoch, including this report's</param>
    /// <param name="completed">the trials that have run all their epochs and been evaluated</param>
    /// <returns>continue, prune, or pause (until <see cref="Promotions"/> lets the trial go on); never stop</returns>
    EpochVerdict Decide(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed);

    /// <summary>Of the paused trials (each with the epoch it paused at), those that may go on now, the most trained first.</summary>
    /// <param name="finishing">nothing else is left to run and fewer than <see cref="Finalists"/> trials have completed:
    /// this many of the most promising go on as well, so that the study ends comparing evaluated trials</param>
    IReadOnlyList<string> Promotions(IReadOnlyDictionary<string, int> paused, int totalEpochs,
        IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history, int finishing) => [];

    /// <summary>How many completed trials a study that pauses trials ends with at least, where it has paused trials to
    /// complete: the best τ is chosen among them, not taken from the one trial that ran to the end.</summary>
    int Finalists => 1;

    /// <summary>Why a trial this pruner stopped was stopped, for the report ("its validation kNN accuracy was …").</summary>
    string PruneReason { get; }
}
