namespace Study.Grains;

/// <summary>One trial of a study: one τ (none for the simple losses; τ− with <see cref="TauMax"/> τ+ for a cosine
/// schedule) and one seed.</summary>
[GenerateSerializer, Alias("study.TrialSpec")]
public sealed record TrialSpec(
    [property: Id(0)] string StudyId,
    [property: Id(1)] string TrialId,
    [property: Id(2)] int Index,
    [property: Id(3)] double? Tau,
    [property: Id(4)] long Seed,
    [property: Id(5)] double? TauMax = null)
{
    /// <summary>The key of the trial's grain: study and trial, so trials of different studies never share one.</summary>
    public string Key => TrialKeys.Of(StudyId, TrialId);
}

public static class TrialKeys
{
    public static string Of(string studyId, string trialId) => studyId + "/" + trialId;
}

/// <summary>What a trial grain needs to run one attempt of a trial.</summary>
[GenerateSerializer, Alias("study.TrialAssignment")]
public sealed record TrialAssignment(
    [property: Id(0)] TrialSpec Trial,
    [property: Id(1)] StudySpec Study,
    /// <summary>Fences this attempt's reports and checkpoints: a later attempt makes them stale.</summary>
    [property: Id(2)] int Attempt,
    /// <summary>The checkpoint to resume from (the last one the study accepted), or null to start afresh.</summary>
    [property: Id(3)] string? ResumeFrom);
