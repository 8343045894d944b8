using Study.Grains.Storage;

namespace Study.Grains.Coordinator;

/// <summary>
/// The coordinator's trials, indexed by status so that a round of coordination costs what changes, not what the
/// study holds: queued trials in the order they start (the most trained first, so that a promoted trial goes before
/// one of a lower rung and before new ones, as ASHA promotes from its highest rung down; then in index order), the
/// running set, and counts by status (a study may hold 10,000 trials).
/// </summary>
public sealed class TrialBook
{
    readonly Dictionary<string, TrialState> byId = new();
    readonly SortedDictionary<(int NegativeEpochs, int Index), TrialState> queued = new();
    readonly HashSet<TrialState> running = new();
    readonly Dictionary<TrialStatus, int> counts = new();

    public int Count => byId.Count;
    public IEnumerable<TrialState> All => byId.Values;
    public IReadOnlyCollection<TrialState> Running => running;
    public IEnumerable<TrialState> Queued => queued.Values;
    public int QueuedCount => queued.Count;
    public int Unfinished => byId.Count - counts.Where(c => c.Key.IsFinal()).Sum(c => c.Value);

    public IReadOnlyDictionary<TrialStatus, int> CountsByStatus => counts;

    public int CountOf(TrialStatus status) => counts.GetValueOrDefault(status);

    public bool TryGet(string trialId, out TrialState trial) => byId.TryGetValue(trialId, out trial!);

    public void Add(TrialState trial)
    {
        byId[trial.Record.TrialId] = trial;
        Index(trial, trial.Record.Status, add: true);
    }

    /// <summary>Replaces a trial's record, moving it between the status indexes when its status changes.</summary>
    public void Set(TrialState trial, TrialRecord record)
    {
        if (trial.Record.Status != record.Status || (record.Status == TrialStatus.Queued && record.EpochsCompleted != trial.Record.EpochsCompleted))
        {
            Index(trial, trial.Record.Status, add: false);
            trial.Record = record;
            Index(trial, record.Status, add: true);
        }
        else trial.Record = record;
    }

    void Index(TrialState trial, TrialStatus status, bool add)
    {
        counts[status] = counts.GetValueOrDefault(status) + (add ? 1 : -1);
        if (status == TrialStatus.Queued)
        {
            var key = (-trial.Record.EpochsCompleted, trial.Record.Index);
            if (add) queued[key] = trial; else queued.Remove(key);
        }
        else if (status == TrialStatus.Running)
        {
            if (add) running.Add(trial); else running.Remove(trial);
        }
    }
}
