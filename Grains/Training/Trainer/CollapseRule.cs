namespace Study.Training.Trainer;

/// <summary>
/// Collapse caught while it happens (the state <c>collapsed</c>; docs/METRICS.md): after each epoch, a trial whose
/// validation embedding is past a limit — uniformity below <paramref name="UniformityFloor"/>, or tolerance above
/// <paramref name="ToleranceCeiling"/> — stops as collapsed when it was past it at the epoch before too and has not
/// moved back since (it fell there, or stays there), or when it has been past it for <see cref="StayedEpochs"/> epochs in
/// a row without spreading out (its distance from one point — uniformity, or 1 − tolerance — has not at least doubled
/// over them). One epoch past the limit never decides: an untrained encoder can start near one point and spread out,
/// and a memory bank's second epoch can dip below the floor and recover; only a trend tells them from a collapse. A
/// loss that starts at one point can take several epochs to leave it, growing manyfold an epoch on the way (the
/// hard-simple loss with batch negatives, docs/EXPERIMENTS.md §1): that is not a collapse either.
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
        if (!Past(metric(history[^1])) || !Past(metric(history[^2]))) return null;
        double value = metric(history[^1])!.Value, before = metric(history[^2])!.Value;
        bool notBack = below ? value <= before : value >= before;
        bool stayed = history.Count >= StayedEpochs && history.TakeLast(StayedEpochs).All(e => Past(metric(e)))
            && !Spreading(metric(history[^StayedEpochs])!.Value, value, below);
        if (!notBack && !stayed) return null;
        string side = below ? "below the floor" : "above the ceiling";
        string how = stayed ? $"{side} {Numbers.Measured(limit)} for {StayedEpochs} epochs in a row"
            : $"{side} {Numbers.Measured(limit)}, as at epoch {history[^2].Epoch} ({Numbers.Measured(before)}), and no {(below ? "higher" : "lower")}";
        return $"collapsed: validation {name} {Numbers.Measured(value)} at epoch {history[^1].Epoch}, {how}";
    }

    /// <summary>Whether the distance from one point (uniformity, or 1 − tolerance) at least doubled from
    /// <paramref name="first"/> to <paramref name="last"/>.</summary>
    static bool Spreading(double first, double last, bool below) => below ? last >= 2 * first : 1 - last >= 2 * (1 - first);
}
