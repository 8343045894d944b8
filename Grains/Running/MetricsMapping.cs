using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>A trial's metrics between the training core's <see cref="TrialMetrics"/> and <see cref="MetricsRecord"/>,
/// their form on the wire (the grain interfaces do not reference the training core).</summary>
public static class MetricsMapping
{
    public static MetricsRecord ToRecord(TrialMetrics m) =>
        new(m.LinearAccuracy, m.KnnAccuracy, m.ValLinearAccuracy, m.ValKnnAccuracy, m.Uniformity, m.Tolerance, m.Alignment, m.Loss);

    public static TrialMetrics ToTrialMetrics(this MetricsRecord m) =>
        new(m.LinearAccuracy, m.KnnAccuracy, m.ValLinearAccuracy, m.ValKnnAccuracy, m.Uniformity, m.Tolerance, m.Alignment, m.Loss);

    /// <summary>An epoch as the coordinator got it, as the store keeps it (NaN, which the wire carries for a figure
    /// not measured, becomes null).</summary>
    public static EpochMetrics ToEpochMetrics(this EpochReport r) => new(r.Epoch, r.Loss, r.PositiveSimilarity,
        r.NearestNegativeSimilarity, r.PenaltyEntropy, r.ValKnnAccuracy, Finite(r.ValUniformity), Finite(r.ValTolerance),
        r.LearningRate, r.Seconds, r.ImagesPerSecond, r.Tau);

    static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
