namespace Study.Training.Trainer;

/// <summary>
/// A trial's metrics as docs/OUTPUTS.md lists them. A completed trial has them all; a pruned or stopped one has only what
/// its last epoch measured (the loss and the validation kNN accuracy).
/// </summary>
public sealed record TrialMetrics(
    double? LinearAccuracy = null,
    double? KnnAccuracy = null,
    double? ValLinearAccuracy = null,
    double? ValKnnAccuracy = null,
    double? Uniformity = null,
    double? Tolerance = null,
    double? Alignment = null,
    double? Loss = null)
{
    public static TrialMetrics FromLastEpoch(EpochMetrics? last) =>
        last is null ? new TrialMetrics() : new TrialMetrics(ValKnnAccuracy: last.ValKnnAccuracy, Loss: last.Loss);

    /// <summary>The value of an objective by its name in results.json (<c>linear_accuracy</c>, <c>val_knn_accuracy</c>, …).</summary>
    public double? Get(string name) => name switch
    {
        "linear_accuracy" => LinearAccuracy,
        "knn_accuracy" => KnnAccuracy,
        "val_linear_accuracy" => ValLinearAccuracy,
        "val_knn_accuracy" => ValKnnAccuracy,
        "uniformity" => Uniformity,
        "tolerance" => Tolerance,
        "alignment" => Alignment,
        "loss" => Loss,
        _ => throw new ArgumentException($"unknown metric '{name}'"),
    };
}
