using Study.Training.Evaluation;

namespace Study.Training.Trainer;

public enum TrainingStatus
{
    Completed,
    /// <summary>Stopped by the per-epoch decision (a pruner).</summary>
    Pruned,
    Failed,
    Cancelled,
    /// <summary>Stopped on request after writing a checkpoint; another attempt resumes it.</summary>
    Interrupted,
}

/// <summary>How a run of the trainer ended, and what it measured.</summary>
public sealed record TrainingOutcome(
    TrainingStatus Status,
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
}
