namespace Study.Grains;

public static class StudyStatuses
{
    public const string Queued = "queued", Running = "running", Completed = "completed", Cancelled = "cancelled", Failed = "failed";
    public static bool IsFinal(string status) => status is Completed or Cancelled or Failed;
}

public static class TrialStatuses
{
    public const string Queued = "queued", Running = "running", Completed = "completed", Pruned = "pruned",
        Failed = "failed", Cancelled = "cancelled";
    /// <summary>Stopped at one of ASHA's rungs with its checkpoint, until it is promoted (queued again) or the study
    /// ends (pruned).</summary>
    public const string Paused = "paused";
    /// <summary>Stopped because its validation embedding collapsed (the collapse rule, docs/METRICS.md); the searcher
    /// counts it as the worst objective.</summary>
    public const string Collapsed = "collapsed";
    public static bool IsFinal(string status) => status is Completed or Pruned or Collapsed or Failed or Cancelled;
}

/// <summary>A study's state as its coordinator holds it.</summary>
[GenerateSerializer, Alias("study.StudySnapshot")]
public sealed record StudySnapshot(
    [property: Id(0)] string StudyId,
    [property: Id(1)] string Status,
    [property: Id(2)] int Queued,
    [property: Id(3)] int Running,
    [property: Id(4)] int Done,
    [property: Id(5)] int Failed,
    [property: Id(6)] int Total);
