using System.Text.Json.Serialization;
using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>A trial's entry in results.json (docs/OUTPUTS.md), also its result.json and its row of trials.csv. Under a cosine τ
/// schedule <see cref="Tau"/> is τ−, and the entry also holds τ+, the schedule and its period.</summary>
public sealed record TrialEntry(
    string TrialId,
    double? Tau,
    long Seed,
    TrialStatus Status,
    int EpochsCompleted,
    int Attempts,
    string? Silo,
    double DurationSeconds,
    string? Error,
    TrialMetrics Metrics,
    string? Device = null)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TauSchedule { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TauMax { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TauPeriod { get; init; }

    /// <summary>The entry with its τ schedule, when it is not a constant τ.</summary>
    public TrialEntry WithSchedule(TauScheduleKind schedule, double? tauMax, double period) =>
        schedule == TauScheduleKind.Constant || tauMax is null ? this
            : this with { TauSchedule = SettingName.Of(schedule), TauMax = tauMax, TauPeriod = period };
}
