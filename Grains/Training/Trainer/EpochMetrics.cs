namespace Study.Training.Trainer;

/// <summary>What each epoch reports (docs/METRICS.md): one line of a trial's metrics.jsonl, and one row of the store's epochs.</summary>
/// <param name="ValUniformity">null where the trainer does not measure it</param>
/// <param name="ValTolerance">null where the trainer does not measure it</param>
/// <param name="Tau">the mean τ of the epoch's steps (a schedule moves it); null for a loss without τ, and in epochs
/// stored before it was recorded</param>
public sealed record EpochMetrics(
    int Epoch,
    double Loss,
    double PositiveSimilarity,
    double NearestNegativeSimilarity,
    double PenaltyEntropy,
    double ValKnnAccuracy,
    double? ValUniformity,
    double? ValTolerance,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    double? Tau = null);
