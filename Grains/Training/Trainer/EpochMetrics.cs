namespace Study.Training.Trainer;

/// <summary>One line of a trial's metrics.jsonl (SPEC §6: what each epoch reports).</summary>
public sealed record EpochMetrics(
    int Epoch,
    double Loss,
    double PositiveSimilarity,
    double NearestNegativeSimilarity,
    double PenaltyEntropy,
    double ValKnnAccuracy,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond,
    double ValUniformity,
    double ValTolerance);
