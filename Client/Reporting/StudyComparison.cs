using System.Globalization;
using System.Text;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>One τ (or τ range, or none) of one study: its completed trials summarised over their seeds.</summary>
public sealed record ComparedTau(string Study, TauSetting? Setting, int Seeds, SeedSummary? Objective, SeedSummary? LinearAccuracy,
    SeedSummary? KnnAccuracy, SeedSummary? Uniformity, SeedSummary? Tolerance, SeedSummary? Alignment);

/// <summary>What a study, or one seed of it (a repetition), spent and found: its trials, the epochs and images it
/// trained, its trials' seconds, and its best validation objective.</summary>
public sealed record ComparedCompute(string Study, long? Seed, int Trials, int Completed, int Pruned, int Collapsed, int Epochs, long? Images,
    double TrialSeconds, double? Best, string? BestTau);

/// <summary>
/// Several studies side by side (`study compare`): the metrics of each τ as mean ± sd over seeds, and the compute each
/// study (or each of its seeds, a repetition of its search) used, as a table for the console or markdown for docs.
/// </summary>
public static class StudyComparison
{
    /// <summary>"infonce, batch", with what else sets the study apart: its schedule, search and pruner, and its
    /// epochs when the studies compared differ in them.</summary>
    public static string Label(StudySpec s, bool withEpochs = false)
    {
        var parts = new List<string> { SettingName.Of(s.Loss), SettingName.Of(s.Negatives) };
        if (s.ProjectionHead != Defaults.ProjectionHead) parts.Add($"{SettingName.Of(s.ProjectionHead)} head");
        if (s.HardCount is { } k) parts.Add($"k = {k}");
        if (withEpochs) parts.Add($"{s.Epochs} epochs");
        if (s.SearchesRanges) parts.Add($"cosine τ, period {Numbers.Setting(s.TauPeriod)}");
        if (s.Search != SearchKind.Grid) parts.Add(SettingName.Of(s.Search));
        if (s.Pruner != PrunerKind.None) parts.Add(SettingName.Of(s.Pruner));
        return string.Join(", ", parts);
    }

    public static IReadOnlyList<ComparedTau> Temperatures(StudyResults results, bool withEpochs = false)
    {
        string label = Label(results.Spec, withEpochs);
        return results.Trials.Where(t => t.Status == TrialStatus.Completed)
            .Select(t => (Trial: t, Metrics: StudyAnalysis.Metrics(t)))
            .GroupBy(x => x.Trial.Setting)
            .OrderBy(g => g.Key?.Mean ?? 0).ThenBy(g => g.Key?.Low ?? 0)
            .Select(g => new ComparedTau(label, g.Key, g.Count(),
                SeedSummary.Of(g.Select(x => x.Metrics?.Get(results.Spec.ValidationObjective))),
                SeedSummary.Of(g.Select(x => x.Metrics?.LinearAccuracy)), SeedSummary.Of(g.Select(x => x.Metrics?.KnnAccuracy)),
                SeedSummary.Of(g.Select(x => x.Metrics?.Uniformity)), SeedSummary.Of(g.Select(x => x.Metrics?.Tolerance)),
                SeedSummary.Of(g.Select(x => x.Metrics?.Alignment))))
            .ToList();
    }

    /// <param name="perSeed">a row per seed: each seed of a grid is one repetition of the grid search</param>
    public static IReadOnlyList<ComparedCompute> Compute(StudyResults results, bool perSeed, bool withEpochs = false)
    {
        var groups = perSeed ? results.Trials.GroupBy(t => (long?)t.Seed) : results.Trials.GroupBy(_ => (long?)null);
        return groups.OrderBy(g => g.Key).Select(g =>
        {
            var trials = g.ToList();
            int epochs = trials.Sum(t => t.EpochsCompleted);
            var best = perSeed ? BestSingle(results.Spec, trials) : StudyAnalysis.Best(results.Spec, trials) is { } b ? (b.Value, b.Setting) : null;
            return new ComparedCompute(Label(results.Spec, withEpochs), g.Key, trials.Count,
                trials.Count(t => t.Status == TrialStatus.Completed), trials.Count(t => t.Status == TrialStatus.Pruned),
                trials.Count(t => t.Status == TrialStatus.Collapsed), epochs,
                results.Spec.Subset is { } n ? (long)n * epochs : null, trials.Sum(t => t.DurationSeconds), best?.Item1, best?.Item2?.Label);
        }).ToList();
    }

    /// <summary>The best completed trial of one seed by the validation objective.</summary>
    static (double, TauSetting?)? BestSingle(StudySpec spec, IEnumerable<Grains.Storage.TrialRecord> trials) =>
        trials.Where(t => t.Status == TrialStatus.Completed)
            .Select(t => (Value: StudyAnalysis.Metrics(t)?.Get(spec.ValidationObjective), t.Setting))
            .Where(x => x.Value is { } v && double.IsFinite(v))
            .Select(x => ((double, TauSetting?)?)(x.Value!.Value, x.Setting))
            .MaxBy(x => x!.Value.Item1);

    public static readonly string[] TemperatureColumns =
        ["study", "τ", "seeds", "val objective", "linear acc. (test)", "kNN acc. (test)", "uniformity", "tolerance", "alignment"];

    public static readonly string[] IntervalColumns = ["study", "τ", "seeds", "val objective 95% CI", "uniformity 95% CI", "tolerance 95% CI"];

    public static IEnumerable<string[]> IntervalRows(IEnumerable<ComparedTau> rows) => rows.Select(r => new[]
    {
        r.Study, r.Setting?.Label ?? "-", r.Seeds.ToString(CultureInfo.InvariantCulture), Interval(r.Objective), Interval(r.Uniformity), Interval(r.Tolerance),
    });

    public static readonly string[] ContrastColumns = ["study", "best τ", "against τ", "seeds shared", "best − τ", "p", "Holm p", "significant"];

    /// <summary>The best τ of a study by its validation objective against each other τ; null with no completed trial.</summary>
    public static BestTauContrast? Contrast(StudyResults results) => BestTauContrast.Of(
        results.Trials.Where(t => t.Status == TrialStatus.Completed && t.Setting is not null)
            .Select(t => (Trial: t, Value: StudyAnalysis.Metrics(t)?.Get(results.Spec.ValidationObjective)))
            .Where(x => x.Value is not null).Select(x => new SeedValue(x.Trial.Setting!.Value, x.Trial.Seed, x.Value!.Value)));

    /// <summary>The best τ by the validation objective against each other τ: paired t-tests over shared seeds, Holm.</summary>
    public static IEnumerable<string[]> Contrasts(StudyResults results, bool withEpochs = false)
    {
        if (Contrast(results) is not { } contrast) return [];
        string label = Label(results.Spec, withEpochs);
        return contrast.Others.Select(o => new[]
        {
            label, contrast.Best.Label, o.Setting.Label, $"{o.Pairs}", Numbers.Metric(o.MeanDifference),
            o.P is { } p ? Significance.Value(p) : "-", o.PHolm is { } h ? Significance.Value(h) : "-",
            o.PHolm is null ? "untested" : o.Significant ? "yes" : "no",
        });
    }

    public static readonly string[] ComputeColumns =
        ["study", "seed", "trials", "completed", "pruned", "collapsed", "epochs", "images", "trial seconds", "best val objective", "at τ"];

    public static IEnumerable<string[]> Rows(IEnumerable<ComparedTau> rows) => rows.Select(r => new[]
    {
        r.Study, r.Setting?.Label ?? "-", r.Seeds.ToString(CultureInfo.InvariantCulture), Cell(r.Objective), Cell(r.LinearAccuracy),
        Cell(r.KnnAccuracy), Cell(r.Uniformity), Cell(r.Tolerance), Cell(r.Alignment),
    });

    public static IEnumerable<string[]> Rows(IEnumerable<ComparedCompute> rows) => rows.Select(r => new[]
    {
        r.Study, r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "all", $"{r.Trials}", $"{r.Completed}", $"{r.Pruned}", $"{r.Collapsed}", $"{r.Epochs}",
        Numbers.Count(r.Images), Numbers.Fixed(r.TrialSeconds, 0), Numbers.Metric(r.Best), r.BestTau ?? "-",
    });

    public static string Markdown(IReadOnlyList<string> columns, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", columns) + " |");
        text.AppendLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var row in rows) text.AppendLine("| " + string.Join(" | ", row) + " |");
        return text.ToString();
    }

    /// <summary>"0.8123 ± 0.0041" (mean ± sd) over several seeds, "0.8123" with one, "-" with none.</summary>
    public static string Cell(SeedSummary? s) => s is null ? "-"
        : s.Count > 1 ? $"{Numbers.Metric(s.Mean)} ± {Numbers.Metric(s.Sd)}" : Numbers.Metric(s.Mean);

    /// <summary>"[0.8021, 0.8225]": the mean's 95% Student-t interval, "-" with fewer than two seeds.</summary>
    public static string Interval(SeedSummary? s) => s?.Low95 is { } low
        ? $"[{Numbers.Metric(low)}, {Numbers.Metric(s.High95)}]" : "-";
}
