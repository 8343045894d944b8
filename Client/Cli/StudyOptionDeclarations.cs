using System.CommandLine;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Hosting;
using static Study.Grains.Hosting.TypedOptions;

namespace Study.Client.Cli;

/// <summary>The study options of run and submit, each declared once; <see cref="StudyOptionReader"/> reads them.</summary>
public static class StudyOptionDeclarations
{
    public static readonly Option<IReadOnlyList<TauSetting>> Taus = new("--taus")
    {
        Description = "grid τ values, comma-separated; with --tau-schedule cosine, τ−:τ+ ranges (plain values: every pair of them)",
        HelpName = "LIST",
        DefaultValueFactory = _ => [.. Defaults.Taus.Select(t => (TauSetting)t)],
        CustomParser = r => Parse(r, TauList),
    };
    public static readonly Option<SearchKind> Search = Setting("--search", "grid, random or adaptive (adaptive starts from --taus when given)", Defaults.Search);
    public static readonly Option<int?> Trials = OptionalInt("--trials", "total trials per seed for random and adaptive search (default: the grid size)",
        min: 1, max: StudySpecRules.MaxTrialsPerSeed);
    public static readonly Option<TauRange> TauRange = new("--tau-range")
    {
        Description = "log-uniform range of random and adaptive search",
        HelpName = "MIN:MAX",
        DefaultValueFactory = _ => new(Defaults.TauMin, Defaults.TauMax),
        CustomParser = r => Parse(r, Cli.TauRange.Parse),
    };
    public static readonly Option<int> Seeds = Int("--seeds", "replicates: every τ runs with N seeds; τ is ranked by the seed mean", Defaults.Seeds,
        min: 1, max: StudySpecRules.MaxSeeds);
    public static readonly Option<ObjectiveKind> Objective = Setting("--objective", "linear_accuracy or knn_accuracy, measured on the validation split", Defaults.Objective);
    public static readonly Option<int?> Parallel = OptionalInt("--parallel", "most trials at once (default: all free slots)", min: 1);
    public static readonly Option<PrunerKind> Pruner = Setting("--pruner", "none, median (Optuna's MedianPruner) or asha", Defaults.Pruner);
    public static readonly Option<int> AshaReductionFactor = Int("--asha-reduction-factor", "ASHA's η: a trial goes on past a rung only in the top 1/η there",
        Defaults.AshaReductionFactor, min: 2, max: 100);
    public static readonly Option<int> AshaMinEpochs = Int("--asha-min-epochs", "ASHA's minimum resource r: rungs at epochs r, rη, rη², …", Defaults.AshaMinEpochs,
        min: 1, max: StudySpecRules.MaxEpochs);
    public static readonly Option<int> MedianStartupTrials = Int("--median-startup-trials", "the median pruner prunes nothing until N trials have completed",
        Defaults.MedianStartupTrials, min: 0, max: StudySpecRules.MaxTotalTrials);
    public static readonly Option<int> MedianWarmupEpochs = Int("--median-warmup-epochs", "the median pruner prunes no trial at or before epoch N",
        Defaults.MedianWarmupEpochs, min: 0, max: StudySpecRules.MaxEpochs);
    public static readonly Option<int> MaxRestarts = Int("--max-restarts", "a trial whose silo dies more often than this is marked failed", Defaults.MaxRestarts,
        min: 0, max: StudySpecRules.MaxRestarts);

    /// <summary>Every study option, in the order help lists them.</summary>
    public static readonly Option[] All =
    [
        Taus, Search, Trials, TauRange, Seeds, Objective, Parallel, Pruner, AshaReductionFactor, AshaMinEpochs, MedianStartupTrials,
        MedianWarmupEpochs, MaxRestarts,
    ];

    /// <summary>--taus as given: each a τ or a range τ−:τ+, none empty, none twice (which of them a schedule takes: the reader).</summary>
    static IReadOnlyList<TauSetting> TauList(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0)) throw new UsageException($"--taus: '{list}' has an empty value; give numbers separated by commas");
        var points = parts.Select(p => TrainingOptionReader.ParseTauSetting("--taus", p)).ToList();
        if (points.Distinct().Count() != points.Count) throw new UsageException($"--taus: '{list}' repeats a value");
        return points;
    }
}

/// <summary>The log-uniform range of τ that random and adaptive search draw from, as --tau-range spells it.</summary>
public readonly record struct TauRange(double Min, double Max)
{
    public static TauRange Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2) throw new UsageException($"--tau-range: '{text}' is not MIN:MAX");
        var range = new TauRange(TrainingOptionReader.ParseTau("--tau-range", parts[0]), TrainingOptionReader.ParseTau("--tau-range", parts[1]));
        return range.Min < range.Max ? range : throw new UsageException($"--tau-range: {text} is empty (MIN must be below MAX)");
    }

    public override string ToString() => $"{Numbers.Setting(Min)}:{Numbers.Setting(Max)}";
}
