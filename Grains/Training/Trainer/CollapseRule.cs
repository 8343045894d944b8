using System.Globalization;

namespace Study.Training.Trainer;

/// <summary>
/// Collapse caught while it happens (SPEC §4's <c>collapsed</c>; docs/METRICS.md): after each epoch, a trial whose
/// validation embedding is past a limit — uniformity below <paramref name="UniformityFloor"/>, or tolerance above
/// <paramref name="ToleranceCeiling"/> — stops as collapsed when it fell there (past the limit and worse than at the
/// epoch before) or stayed there (past it at each of its last <see cref="StayedEpochs"/> epochs). The first epoch alone
/// never decides: an untrained encoder can start near one point and spread out, and only a trend tells the two apart.
/// </summary>
public sealed record CollapseRule(double UniformityFloor, double ToleranceCeiling)
{
    public const int StayedEpochs = 3;

    public static readonly CollapseRule Default = new(Defaults.CollapseUniformity, Defaults.CollapseTolerance);

    /// <param name="history">the trial's epochs so far, in order</param>
    /// <returns>why the trial has collapsed at its last epoch, or null while it has not</returns>
    public string? Verdict(IReadOnlyList<EpochMetrics> history)
    {
        if (history.Count < 2) return null;
        return Judge(history, "uniformity", e => e.ValUniformity, UniformityFloor, below: true)
            ?? Judge(history, "tolerance", e => e.ValTolerance, ToleranceCeiling, below: false);
    }

    static string? Judge(IReadOnlyList<EpochMetrics> history, string name, Func<EpochMetrics, double?> metric, double limit, bool below)
    {
        bool Past(double? v) => v is { } x && double.IsFinite(x) && (below ? x < limit : x > limit);
        var last = history[^1];
        if (!Past(metric(last))) return null;
        double value = metric(last)!.Value;
        double? before = metric(history[^2]);
        bool fell = before is { } b && double.IsFinite(b) && (below ? value < b : value > b);
        bool stayed = history.Count >= StayedEpochs && history.TakeLast(StayedEpochs).All(e => Past(metric(e)));
        if (!fell && !stayed) return null;
        string side = below ? "below the floor" : "above the ceiling";
        string how = fell ? $"{(below ? "lower" : "higher")} than at epoch {history[^2].Epoch} ({Format(before!.Value)})"
            : $"past it for {StayedEpochs} epochs in a row";
        return $"collapsed: validation {name} {Format(value)} at epoch {last.Epoch}, {side} {Format(limit)} and {how}";
    }

    static string Format(double value) => value.ToString(Math.Abs(value) < 0.001 ? "0.###e0" : "0.####", CultureInfo.InvariantCulture);
}
