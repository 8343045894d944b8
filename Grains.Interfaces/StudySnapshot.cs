namespace Study.Grains;

public static class StudyStatuses
{
    public const string Queued = "queued", Running = "running", Completed = "completed", Cancelled = "cancelled", Failed = "failed";
    public static bool IsFinal(string status) => status is Completed or Cancelled or Failed;
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
