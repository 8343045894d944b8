namespace Study.Grains;

/// <summary>A trial's metrics as docs/OUTPUTS.md lists them; null where not measured (a pruned trial has only its last epoch's).</summary>
[GenerateSerializer, Alias("study.MetricsRecord")]
public sealed record MetricsRecord(
    [property: Id(0)] double? LinearAccuracy = null,
    [property: Id(1)] double? KnnAccuracy = null,
    [property: Id(2)] double? ValLinearAccuracy = null,
    [property: Id(3)] double? ValKnnAccuracy = null,
    [property: Id(4)] double? Uniformity = null,
    [property: Id(5)] double? Tolerance = null,
    [property: Id(6)] double? Alignment = null,
    [property: Id(7)] double? Loss = null);

/// <summary>One epoch of one attempt of a trial (docs/METRICS.md, after each epoch) and where its checkpoint is.</summary>
[GenerateSerializer, Alias("study.EpochReport")]
public sealed record EpochReport(
    [property: Id(0)] string StudyId,
    [property: Id(1)] string TrialId,
    [property: Id(2)] int Attempt,
    [property: Id(3)] int Epoch,
    [property: Id(4)] double Loss,
    [property: Id(5)] double PositiveSimilarity,
    [property: Id(6)] double NearestNegativeSimilarity,
    [property: Id(7)] double PenaltyEntropy,
    [property: Id(8)] double ValKnnAccuracy,
    [property: Id(9)] double LearningRate,
    [property: Id(10)] double Seconds,
    [property: Id(11)] double ImagesPerSecond,
    [property: Id(12)] string? CheckpointPath,
    /// <summary>The torch device the attempt trains on ("cpu", "cuda:1").</summary>
    [property: Id(13)] string? Device = null,
    /// <summary>Uniformity and tolerance of the validation probe's z (NaN from trainers that do not measure them).</summary>
    [property: Id(14)] double ValUniformity = double.NaN,
    [property: Id(15)] double ValTolerance = double.NaN,
    /// <summary>The mean τ of the epoch's steps (a schedule moves it); null for a loss without τ.</summary>
    [property: Id(16)] double? Tau = null);

/// <summary>How one attempt of a trial ended. Its artifacts (embeddings, labels, histograms) are already in the store.</summary>
[GenerateSerializer, Alias("study.TrialOutcomeReport")]
public sealed record TrialOutcomeReport(
    [property: Id(0)] string StudyId,
    [property: Id(1)] string TrialId,
    [property: Id(2)] int Attempt,
    [property: Id(3)] string Silo,
    [property: Id(4)] TrialStatus Status,
    [property: Id(5)] int EpochsCompleted,
    [property: Id(6)] double Seconds,
    [property: Id(7)] string? Error,
    [property: Id(8)] MetricsRecord Metrics,
    /// <summary>For an interrupted attempt: the mid-epoch checkpoint to resume from.</summary>
    [property: Id(9)] string? CheckpointPath,
    /// <summary>The attempt's last epoch, when it was not reported on its own (the final epoch travels with the outcome).</summary>
    [property: Id(10)] EpochReport? LastEpoch = null,
    [property: Id(11)] string? Device = null);
