namespace Study.Grains.Telemetry;

/// <summary>
/// The latest figures of a trial running on this silo, read by the per-trial gauges. The slot thread writes them,
/// the metrics collection reads them: each is one double, so a reader sees an old or a new value, never a torn one.
/// NaN until first known.
/// </summary>
public sealed class RunningTrialReading(KeyValuePair<string, object?>[] tags)
{
    public KeyValuePair<string, object?>[] Tags { get; } = tags;
    public double Loss { get; set; } = double.NaN;
    /// <summary>The per-epoch objective the pruners rank: val_knn_accuracy on the validation probe.</summary>
    public double Objective { get; set; } = double.NaN;
    public double Uniformity { get; set; } = double.NaN;
    public double Tolerance { get; set; } = double.NaN;
}
