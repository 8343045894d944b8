using Study.Training.Trainer;

namespace Study.Grains.Storage;

/// <summary>
/// One epoch of a trial as the store keeps it and metrics.jsonl shows it (SPEC §4, §6): the epoch probe's statistics,
/// the step's learning rate and speed, and the attempt that measured it. Its JSON is <see cref="EpochMetricsJson"/>.
/// </summary>
/// <param name="ValUniformity">null where the trainer does not measure it</param>
/// <param name="ValTolerance">null where the trainer does not measure it</param>
public sealed record EpochMetricsRecord(
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
    int Attempt)
{
    public static EpochMetricsRecord Of(EpochReport r) => new(r.Epoch, r.Loss, r.PositiveSimilarity, r.NearestNegativeSimilarity,
        r.PenaltyEntropy, r.ValKnnAccuracy, Finite(r.ValUniformity), Finite(r.ValTolerance), r.LearningRate, r.Seconds,
        r.ImagesPerSecond, r.Attempt);

    public static EpochMetricsRecord Of(EpochMetrics m, int attempt) => new(m.Epoch, m.Loss, m.PositiveSimilarity,
        m.NearestNegativeSimilarity, m.PenaltyEntropy, m.ValKnnAccuracy, Finite(m.ValUniformity), Finite(m.ValTolerance),
        m.LearningRate, m.Seconds, m.ImagesPerSecond, attempt);

    static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
