using Study.Grains;
using Study.Grains.Coordinator;

namespace Study.Client.Reporting;

/// <summary>
/// `study compare --json`: schema "study-compare/1", documented in docs/METRICS.md ("study compare --json"). Fields
/// are only ever added under this name; a change of meaning gets a new schema name.
/// </summary>
public static class ComparisonJson
{
    public const string Schema = "study-compare/1";

    public sealed record Document(string Schema, double Confidence, double SignificanceLevel, IReadOnlyList<StudyEntry> Studies);

    public sealed record StudyEntry(string StudyId, string Label, string Objective, IReadOnlyList<TemperatureEntry> Temperatures,
        BestEntry? Best, IReadOnlyList<ComparedCompute> Compute);

    public sealed record TemperatureEntry(string Label, double? Tau, double? TauMax, IReadOnlyList<long> Seeds, Summary? Objective,
        Summary? LinearAccuracy, Summary? KnnAccuracy, Summary? Uniformity, Summary? Tolerance, Summary? Alignment);

    /// <param name="Ci95Low">the mean's 95% Student-t interval; null with one seed</param>
    public sealed record Summary(int N, double Mean, double Sd, double? Ci95Low, double? Ci95High);

    /// <param name="Decided">the best is significantly ahead of every other τ</param>
    public sealed record BestEntry(string Label, double Tau, double? TauMax, Summary Objective, bool Decided, IReadOnlyList<VersusEntry> VersusOthers);

    /// <param name="T">null where every paired difference is the same non-zero value (t is infinite) or untested</param>
    public sealed record VersusEntry(string Label, double Tau, double? TauMax, int PairedSeeds, double? MeanDifference, double? T, int? Df,
        double? P, double? PHolm, bool Significant);

    public static Document Build(IReadOnlyList<StudyResults> studies, bool perSeed, bool withEpochs) =>
        new(Schema, 0.95, Significance.Level, [.. studies.Select(s => Study(s, perSeed, withEpochs))]);

    static StudyEntry Study(StudyResults results, bool perSeed, bool withEpochs)
    {
        var completed = results.Trials.Where(t => t.Status == TrialStatus.Completed && t.Setting is not null)
            .Select(t => (Trial: t, Metrics: StudyAnalysis.Metrics(t))).ToList();
        var temperatures = completed.GroupBy(x => x.Trial.Setting!.Value).OrderBy(g => g.Key.Mean).ThenBy(g => g.Key.Low)
            .Select(g => new TemperatureEntry(g.Key.Label, g.Key.Tau, g.Key.TauMax, [.. g.Select(x => x.Trial.Seed).Order()],
                Of(g.Select(x => x.Metrics?.Get(results.Spec.ValidationObjective))), Of(g.Select(x => x.Metrics?.LinearAccuracy)),
                Of(g.Select(x => x.Metrics?.KnnAccuracy)), Of(g.Select(x => x.Metrics?.Uniformity)), Of(g.Select(x => x.Metrics?.Tolerance)),
                Of(g.Select(x => x.Metrics?.Alignment))))
            .ToList();
        var contrast = StudyComparison.Contrast(results);
        var best = contrast is null ? null : new BestEntry(contrast.Best.Label, contrast.Best.Tau, contrast.Best.TauMax, Of(contrast.BestSummary),
            contrast.Decided, [.. contrast.Others.Select(o => new VersusEntry(o.Setting.Label, o.Setting.Tau, o.Setting.TauMax, o.Pairs, o.MeanDifference,
                o.T is { } t && double.IsFinite(t) ? t : null, o.Pairs > 1 ? o.Pairs - 1 : null, o.P, o.PHolm, o.Significant))]);
        return new StudyEntry(results.Spec.StudyId, StudyComparison.Label(results.Spec, withEpochs), results.Spec.ValidationObjective, temperatures, best,
            StudyComparison.Compute(results, perSeed, withEpochs));
    }

    static Summary? Of(IEnumerable<double?> values) => SeedSummary.Of(values) is { } s ? Of(s) : null;

    static Summary Of(SeedSummary s) => new(s.Count, s.Mean, s.Sd, s.Low95, s.High95);
}
