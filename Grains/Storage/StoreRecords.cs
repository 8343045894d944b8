namespace Study.Grains.Storage;

/// <summary>A study row: its spec as run (JSON), status, and the lease of the process that drives it (embedded).</summary>
public sealed record StudyRecord(
    string StudyId,
    string Status,
    long CreatedMs,
    long UpdatedMs,
    string SpecJson,
    string? BestJson = null,
    string? Error = null,
    bool CancelRequested = false,
    string? LeaseOwner = null,
    long? LeaseExpiresMs = null);

/// <summary>A trial row: identity, state, the attempt that owns it, where it ran (silo and torch device), and its final
/// metrics (JSON) once it ends. <see cref="Tau"/> is τ− and <see cref="TauMax"/> τ+ under a cosine schedule.</summary>
public sealed record TrialRecord(
    string StudyId,
    string TrialId,
    int Index,
    double? Tau,
    long Seed,
    TrialStatus Status,
    int Attempt = 0,
    int Restarts = 0,
    string? Silo = null,
    int EpochsCompleted = 0,
    string? CheckpointPath = null,
    long? StartedMs = null,
    double DurationSeconds = 0,
    string? Error = null,
    string? MetricsJson = null,
    string? Device = null,
    double? TauMax = null)
{
    /// <summary>The trial's τ, or its (τ−, τ+) range; null for a loss without τ.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public TauSetting? Setting => TauSetting.Of(Tau, TauMax);
}

/// <summary>One epoch of a trial, measured by one of its attempts: a row of the epochs table, and a line of its
/// metrics.jsonl (<see cref="EpochMetricsJson"/>).</summary>
public sealed record EpochRecord(string StudyId, string TrialId, int Attempt, Study.Training.Trainer.EpochMetrics Metrics)
{
    public int Epoch => Metrics.Epoch;
}

/// <summary>What a report draws for a trial besides its metrics: embeddings, labels and similarity histograms.</summary>
public sealed record ArtifactRecord(
    string StudyId, string TrialId, int Attempt, int EmbeddingDimension, float[] Embeddings, long[] Labels, string SimilaritiesJson);

/// <summary>Where a running attempt is, for live progress (overwritten every few seconds; not part of results).</summary>
/// <param name="Phase">"training" or "evaluating"</param>
/// <param name="Device">the torch device the attempt trains on ("cpu", "cuda:1")</param>
public sealed record TrialProgressRecord(
    string StudyId, string TrialId, int Attempt, string Phase, int Epoch, int Step, int StepsPerEpoch, double Loss,
    double ImagesPerSecond, long UpdatedMs, string? Device = null);

public enum LeaseOutcome { Acquired, HeldByOther, NoSuchStudy }

public sealed record LeaseResult(LeaseOutcome Outcome, string? Owner);
