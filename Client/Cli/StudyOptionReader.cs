using Study.Grains.Coordinator;
using System.Globalization;
using Study.Grains;
using Study.Grains.Pruning;
using Study.Grains.Sampling;

namespace Study.Client.Cli;

/// <summary>The study options of `run` and `submit` (SPEC §2), read and checked into a <see cref="StudySpec"/>.</summary>
public static class StudyOptionReader
{
    public static readonly OptionSpec[] StudySpecs =
    [
        new("taus", "grid τ values, comma-separated; with --tau-schedule cosine, τ−:τ+ ranges (plain values: every pair of them)",
            ValueName: "LIST", Default: string.Join(",", Defaults.Taus.Select(Format))),
        new("search", "grid, random or adaptive (adaptive starts from --taus when given)", ValueName: "NAME", Default: SettingName.Of(Defaults.Search)),
        new("trials", "total trials per seed for random and adaptive search", ValueName: "N", Default: "the grid size"),
        new("tau-range", "log-uniform range of random and adaptive search", ValueName: "MIN:MAX", Default: $"{Format(Defaults.TauMin)}:{Format(Defaults.TauMax)}"),
        new("seeds", "replicates: every τ runs with N seeds; τ is ranked by the seed mean", ValueName: "N", Default: $"{Defaults.Seeds}"),
        new("objective", "linear_accuracy or knn_accuracy, measured on the validation split", ValueName: "NAME", Default: SettingName.Of(Defaults.Objective)),
        new("parallel", "most trials at once", ValueName: "N", Default: "all free slots"),
        new("pruner", "none, median (Optuna's MedianPruner) or asha", ValueName: "NAME", Default: SettingName.Of(Defaults.Pruner)),
        new("asha-reduction-factor", "ASHA's η: a trial goes on past a rung only in the top 1/η there", ValueName: "N", Default: $"{Defaults.AshaReductionFactor}"),
        new("asha-min-epochs", "ASHA's minimum resource r: rungs at epochs r, rη, rη², …", ValueName: "N", Default: $"{Defaults.AshaMinEpochs}"),
        new("median-startup-trials", "the median pruner prunes nothing until N trials have completed", ValueName: "N", Default: $"{Defaults.MedianStartupTrials}"),
        new("median-warmup-epochs", "the median pruner prunes no trial at or before epoch N", ValueName: "N", Default: $"{Defaults.MedianWarmupEpochs}"),
        new("max-restarts", "a trial whose silo dies more often than this is marked failed", ValueName: "N", Default: $"{Defaults.MaxRestarts}"),
    ];

    public static StudySpec Read(ParsedArguments a, string studyId)
    {
        var schedule = a.Setting("tau-schedule", Defaults.TauSchedule);
        var grid = a.Value("taus") is { } list ? ParseGrid(list, schedule) : Grid([.. Defaults.Taus.Select(t => (TauSetting)t)], schedule);
        var search = a.Setting("search", Defaults.Search);
        var (tauMin, tauMax) = a.Value("tau-range") is { } range ? ParseRange(range) : (Defaults.TauMin, Defaults.TauMax);
        var trials = a.Int("trials", min: 1, max: StudySpecRules.MaxTrialsPerSeed);
        if (search == SearchKind.Grid && trials is not null) throw new UsageException("--trials applies to --search random or adaptive; the grid runs every --taus value");
        var seeds = a.Int("seeds", min: 1, max: StudySpecRules.MaxSeeds) ?? Defaults.Seeds;
        // Every training option is checked as `train` checks it (with a placeholder τ: the grid's are checked above).
        var training = TrainingOptionReader.Read(a, grid[0]);
        var spec = new StudySpec
        {
            StudyId = studyId,
            Dataset = training.Dataset,
            DataDir = training.DataDir,
            Taus = grid.Any(t => t.IsRange) ? [.. grid.SelectMany(t => new[] { t.Low, t.High }).Distinct().Order()] : [.. grid.Select(t => t.Tau)],
            TauRanges = schedule == TauScheduleKind.Cosine && training.Loss.UsesTau() ? [.. grid.Select(t => new[] { t.Low, t.High })] : null,
            TauSchedule = training.TauSchedule,
            TauPeriod = training.TauPeriod,
            TausGiven = a.Has("taus"),
            Search = search,
            Trials = trials,
            TauMin = tauMin,
            TauMax = tauMax,
            Seeds = seeds,
            Objective = a.Setting("objective", Defaults.Objective),
            Loss = training.Loss,
            HardFraction = training.HardFraction,
            HardCount = training.HardCount,
            Negatives = training.Negatives,
            Encoder = training.Encoder,
            ProjectionHead = training.ProjectionHead,
            Epochs = training.Epochs,
            BatchSize = training.BatchSize,
            Lr = training.LearningRate,
            Optimizer = training.Optimizer,
            Momentum = training.Momentum,
            WeightDecay = training.WeightDecay,
            Schedule = training.Schedule,
            Seed = training.Seed,
            SplitSeed = a.Has("split-seed") ? training.SplitSeed : null,
            Subset = training.Subset,
            EvalSubset = training.EvalSubset,
            Parallel = a.Int("parallel", min: 1),
            Threads = a.Int("threads", min: 1, max: StudySpecRules.MaxThreads),
            Pruner = a.Setting("pruner", Defaults.Pruner),
            AshaReductionFactor = a.Int("asha-reduction-factor", min: 2, max: 100) ?? Defaults.AshaReductionFactor,
            AshaMinEpochs = a.Int("asha-min-epochs", min: 1, max: StudySpecRules.MaxEpochs) ?? Defaults.AshaMinEpochs,
            MedianStartupTrials = a.Int("median-startup-trials", min: 0, max: StudySpecRules.MaxTotalTrials) ?? Defaults.MedianStartupTrials,
            MedianWarmupEpochs = a.Int("median-warmup-epochs", min: 0, max: StudySpecRules.MaxEpochs) ?? Defaults.MedianWarmupEpochs,
            MaxRestarts = a.Int("max-restarts", min: 0, max: StudySpecRules.MaxRestarts) ?? Defaults.MaxRestarts,
            Device = training.Device,
            Precision = training.Precision,
            CollapseCheck = training.Collapse is not null,
            CollapseUniformity = training.Collapse?.UniformityFloor ?? Defaults.CollapseUniformity,
            CollapseTolerance = training.Collapse?.ToleranceCeiling ?? Defaults.CollapseTolerance,
        };
        // The grains check the same rules: a client that skips this console gets an error, not a study.
        try { StudySpecRules.Check(spec); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return spec;
    }

    /// <summary>The grid --taus gives: τ values, or for a cosine schedule τ−:τ+ ranges (plain values: every pair of them).</summary>
    public static IReadOnlyList<TauSetting> ParseGrid(string list, TauScheduleKind schedule)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0)) throw new UsageException($"--taus: '{list}' has an empty value; give numbers separated by commas");
        var points = parts.Select(p => TrainingOptionReader.ParseTauSetting("taus", p)).ToList();
        if (points.Distinct().Count() != points.Count) throw new UsageException($"--taus: '{list}' repeats a value");
        int ranges = points.Count(p => p.IsRange);
        if (ranges > 0 && schedule != TauScheduleKind.Cosine)
            throw new UsageException($"--taus: '{list}' gives τ ranges τ−:τ+, which need --tau-schedule cosine");
        if (ranges > 0 && ranges < points.Count)
            throw new UsageException($"--taus: '{list}' mixes τ values and τ−:τ+ ranges; give one kind");
        return ranges > 0 ? points : Grid(points, schedule);
    }

    /// <summary>τ values as a grid: themselves, or under a cosine schedule every pair τ− &lt; τ+ of them.</summary>
    static IReadOnlyList<TauSetting> Grid(IReadOnlyList<TauSetting> taus, TauScheduleKind schedule)
    {
        if (schedule != TauScheduleKind.Cosine) return taus;
        var sorted = taus.Select(t => t.Tau).Order().ToList();
        if (sorted.Count < 2) throw new UsageException("--taus: a cosine schedule needs two τ values at least (or τ−:τ+ ranges)");
        return [.. from i in Enumerable.Range(0, sorted.Count) from j in Enumerable.Range(i + 1, sorted.Count - i - 1)
                   select new TauSetting(sorted[i], sorted[j])];
    }

    static (double, double) ParseRange(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2) throw new UsageException($"--tau-range: '{text}' is not MIN:MAX");
        var min = TrainingOptionReader.ParseTau("tau-range", parts[0]);
        var max = TrainingOptionReader.ParseTau("tau-range", parts[1]);
        if (min >= max) throw new UsageException($"--tau-range: {text} is empty (MIN must be below MAX)");
        return (min, max);
    }

    public static string NewStudyId() => TrialNaming.NewStudyId("study");

    public static string Format(double value) => value.ToString("0.#####", CultureInfo.InvariantCulture);
}
