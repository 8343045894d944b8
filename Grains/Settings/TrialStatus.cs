using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>
/// Where a trial is, or how an attempt at it ended. The store, results.json, trials.csv and the live view spell it
/// in lowercase ("completed"); the trainer, the grains and the console share this one set.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrialStatus>))]
public enum TrialStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    /// <summary>Stopped at one of ASHA's rungs with its checkpoint, until it is promoted (queued again) or the study
    /// ends (pruned).</summary>
    [JsonStringEnumMemberName("paused")] Paused,
    [JsonStringEnumMemberName("completed")] Completed,
    /// <summary>Stopped by the verdict after an epoch (a pruner).</summary>
    [JsonStringEnumMemberName("pruned")] Pruned,
    /// <summary>Stopped because its validation embedding collapsed (the collapse rule, docs/METRICS.md); the searcher
    /// counts it as the worst objective.</summary>
    [JsonStringEnumMemberName("collapsed")] Collapsed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>The end of an attempt that another attempt resumes from its checkpoint (a silo stopping, a pause):
    /// never a stored trial's status.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

public static class TrialStatuses
{
    /// <summary>The statuses a stored trial can have, in the order a study moves through them.</summary>
    public static IReadOnlyList<TrialStatus> Stored { get; } = [.. Enum.GetValues<TrialStatus>().Where(s => s != TrialStatus.Interrupted)];

    /// <summary>Whether the trial has ended for good.</summary>
    public static bool IsFinal(this TrialStatus status) =>
        status is TrialStatus.Completed or TrialStatus.Pruned or TrialStatus.Collapsed or TrialStatus.Failed or TrialStatus.Cancelled;

    /// <summary>The status as the store and the files spell it: "completed".</summary>
    public static string Name(this TrialStatus status) => SettingName.Of(status);

    /// <summary>A stored status.</summary>
    /// <exception cref="InvalidDataException">a word that is no trial status</exception>
    public static TrialStatus Parse(string name) => SettingNames<TrialStatus>.TryParse(name, out var status) ? status
        : throw new InvalidDataException($"'{name}' is not a trial status");
}
