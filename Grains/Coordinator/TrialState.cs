using Study.Grains.Storage;

namespace Study.Grains.Coordinator;

/// <summary>The coordinator's view of one trial: its stored row and where its current attempt runs.</summary>
public sealed class TrialState(TrialRecord record)
{
    public TrialRecord Record { get; set; } = record;
    public SiloAddress? Silo { get; set; }
    public bool CancelSent { get; set; }
    /// <summary>When this activation of the coordinator started the current attempt (or took it over from the store).</summary>
    public DateTime AttemptSeen { get; set; } = DateTime.UtcNow;
    /// <summary>Since when the attempt's silo has reported not running it, if it has.</summary>
    public DateTime? MissingSince { get; set; }

    public string Key => TrialKeys.Of(Record.StudyId, Record.TrialId);
    public string Status => Record.Status;
    public TrialSpec Spec => new(Record.StudyId, Record.TrialId, Record.Index, Record.Tau, Record.Seed, Record.TauMax);
}
