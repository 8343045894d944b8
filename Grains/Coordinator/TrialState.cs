using Study.Grains.Storage;

namespace Study.Grains.Coordinator;

/// <summary>The coordinator's view of one trial: its stored row and where its current attempt runs.</summary>
public sealed class TrialState(TrialRecord record, DateTime now)
{
    public TrialRecord Record { get; set; } = record;
    /// <summary>Where the current attempt runs: taken from the stored row when this activation did not start it, so that
    /// the checks for lost and vanished attempts cover trials that a coordinator before this one started.</summary>
    public SiloAddress? Silo { get; set; } = StoredSilo(record);
    public bool CancelSent { get; set; }
    /// <summary>When this activation of the coordinator started the current attempt (or took it over from the store).</summary>
    public DateTime AttemptSeen { get; set; } = now;
    /// <summary>After a failed start, the trial waits in the queue until then (a backoff that grows with its failures).</summary>
    public DateTime NotBefore { get; set; }
    /// <summary>Since when the attempt's silo has reported not running it, if it has.</summary>
    public DateTime? MissingSince { get; set; }
    /// <summary>Since when this coordinator has seen the attempt's silo dead, if it has.</summary>
    public DateTime? SeenDeadSince { get; set; }

    public string Key => TrialKeys.Of(Record.StudyId, Record.TrialId);
    public TrialStatus Status => Record.Status;
    /// <summary>The silo a stored running attempt names (null: none, or not running).</summary>
    public static SiloAddress? StoredSilo(TrialRecord record)
    {
        if (record.Status != TrialStatus.Running || record.Silo is not { Length: > 0 } text) return null;
        try { return SiloAddress.FromParsableString(text); }
        catch (FormatException) { return null; }
    }

    public TrialSpec Spec => new(Record.StudyId, Record.TrialId, Record.Index, Record.Tau, Record.Seed, Record.TauMax);
}
