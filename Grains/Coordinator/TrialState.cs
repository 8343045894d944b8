using Study.Grains.Storage;

namespace Study.Grains.Coordinator;

/// <summary>The coordinator's view of one trial: its stored row and where its current attempt runs.</summary>
public sealed class TrialState(TrialRecord record)
{
    public TrialRecord Record { get; set; } = record;
    public SiloAddress? Silo { get; set; }
    public bool CancelSent { get; set; }

    public string Key => TrialKeys.Of(Record.StudyId, Record.TrialId);
    public string Status => Record.Status;
    public TrialSpec Spec => new(Record.StudyId, Record.TrialId, Record.Index, Record.Tau, Record.Seed);
}
