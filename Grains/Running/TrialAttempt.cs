using Study.Grains.Telemetry;
using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>
/// One attempt of a trial while it trains on a slot thread: where it trains and checkpoints, the coordinator it
/// reports to, and the last epoch and step it has reported (which its outcome carries).
/// </summary>
sealed class TrialAttempt(TrialAssignment assignment, string device, TrialTelemetry telemetry, IStudyGrain coordinator, string checkpoints)
{
    public TrialAssignment Assignment => assignment;
    public string Device => device;
    public TrialTelemetry Telemetry => telemetry;
    public IStudyGrain Coordinator => coordinator;
    /// <summary>The trial's checkpoint folder.</summary>
    public string Checkpoints => checkpoints;

    /// <summary>The final epoch's report, which travels with the outcome.</summary>
    public EpochReport? LastEpoch { get; set; }
    public StepProgress LastStep { get; set; }
    /// <summary>When progress was last published, as a <see cref="TimeProvider"/> timestamp (0: never).</summary>
    public long LastPublished { get; set; }

    public string CheckpointPath(int epoch, int step) => CheckpointFiles.PathFor(checkpoints, assignment.Attempt, epoch, step);
}
