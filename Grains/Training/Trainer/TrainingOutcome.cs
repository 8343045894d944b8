using Study.Training.Evaluation;

namespace Study.Training.Trainer;

/// <summary>How a run of the trainer ended, and what it measured: completed, pruned, collapsed (<see cref="CollapseRule"/>),
/// failed, cancelled, or interrupted (stopped on request after writing a checkpoint, for another attempt to resume).</summary>
public sealed record TrainingOutcome(
    TrialStatus Status,
    int EpochsCompleted,
    IReadOnlyList<EpochMetrics> History,
    TrialMetrics Metrics,
    FinalEvaluation? Evaluation,
    string? Error,
    double Seconds)
{
    /// <summary>For an interrupted run: the checkpoint written at the stop, to resume from.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>The device it trained on ("cpu", "cuda:0").</summary>
    public string? Device { get; init; }

    /// <summary>A run that failed before it trained anything, saying why.</summary>
    public static TrainingOutcome Failure(string error, double seconds = 0) =>
        new(TrialStatus.Failed, 0, [], new TrialMetrics(), null, error, seconds);

    /// <summary>Errors that are the trial's own (its options, its data, its checkpoint): they fail the trial, with
    /// their message; anything else is a fault of the host.</summary>
    public static bool IsTrialError(Exception e) =>
        e is ArgumentException or IOException or Data.DatasetFormatException or InvalidDataException;
}
