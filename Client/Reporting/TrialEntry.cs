using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>A trial's entry in results.json (SPEC §4), also its result.json and its row of trials.csv.</summary>
public sealed record TrialEntry(
    string TrialId,
    double? Tau,
    long Seed,
    string Status,
    int EpochsCompleted,
    int Attempts,
    string? Silo,
    double DurationSeconds,
    string? Error,
    TrialMetrics Metrics,
    string? Device = null)
{
    public static string StatusName(TrainingStatus status) => status switch
    {
        TrainingStatus.Completed => "completed",
        TrainingStatus.Pruned => "pruned",
        TrainingStatus.Failed => "failed",
        TrainingStatus.Cancelled => "cancelled",
        TrainingStatus.Interrupted => "running",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
