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
        new("taus", "grid τ values, comma-separated", ValueName: "LIST", Default: string.Join(",", Defaults.Taus.Select(Format))),
        new("search", "grid, random or adaptive (adaptive starts from --taus when given)", ValueName: "NAME", Default: SettingName.Of(Defaults.Search)),
        new("trials", "total trials per seed for random and adaptive search", ValueName: "N", Default: "the grid size"),
        new("tau-range", "log-uniform range of random and adaptive search", ValueName: "MIN:MAX", Default: $"{Format(Defaults.TauMin)}:{Format(Defaults.TauMax)}"),
        new("seeds", "replicates: every τ runs with N seeds; τ is ranked by the seed mean", ValueName: "N", Default: $"{Defaults.Seeds}"),
        new("objective", "linear_accuracy or knn_accuracy, measured on the validation split", ValueName: "NAME", Default: SettingName.Of(Defaults.Objective)),
        new("parallel", "most trials at once", ValueName: "N", Default: "all free slots"),
        new("pruner", "none, median or asha", ValueName: "NAME", Default: SettingName.Of(Defaults.Pruner)),
        new("max-restarts", "a trial whose silo dies more often than this is marked failed", ValueName: "N", Default: $"{Defaults.MaxRestarts}"),
    ];

    public static StudySpec Read(ParsedArguments a, string studyId)
    {
        var taus = a.Value("taus") is { } list ? ParseTaus(list) : [.. Defaults.Taus];
        var search = a.Setting("search", Defaults.Search);
        var (tauMin, tauMax) = a.Value("tau-range") is { } range ? ParseRange(range) : (Defaults.TauMin, Defaults.TauMax);
        var trials = a.Int("trials", min: 1, max: StudySpecRules.MaxTrialsPerSeed);
        if (search == SearchKind.Grid && trials is not null) throw new UsageException("--trials applies to --search random or adaptive; the grid runs every --taus value");
        var seeds = a.Int("seeds", min: 1, max: StudySpecRules.MaxSeeds) ?? Defaults.Seeds;
        // Every training option is checked as `train` checks it (with a placeholder τ: the grid's are checked above).
        var training = TrainingOptionReader.Read(a, taus[0]);
        var spec = new StudySpec
        {
            StudyId = studyId,
            Dataset = training.Dataset,
            DataDir = training.DataDir,
            Taus = taus,
            TausGiven = a.Has("taus"),
            Search = search,
            Trials = trials,
            TauMin = tauMin,
            TauMax = tauMax,
            Seeds = seeds,
            Objective = a.Setting("objective", Defaults.Objective),
            Loss = training.Loss,
            HardFraction = training.HardFraction,
            Negatives = training.Negatives,
            Encoder = training.Encoder,
            Epochs = training.Epochs,
            BatchSize = training.BatchSize,
            Lr = training.LearningRate,
            Optimizer = training.Optimizer,
            Momentum = training.Momentum,
            WeightDecay = training.WeightDecay,
            Schedule = training.Schedule,
            Seed = training.Seed,
            Subset = training.Subset,
            EvalSubset = training.EvalSubset,
            Parallel = a.Int("parallel", min: 1),
            Threads = a.Int("threads", min: 1, max: StudySpecRules.MaxThreads),
            Pruner = a.Setting("pruner", Defaults.Pruner),
            MaxRestarts = a.Int("max-restarts", min: 0, max: StudySpecRules.MaxRestarts) ?? Defaults.MaxRestarts,
            Device = training.Device,
            Precision = training.Precision,
        };
        // The grains check the same rules: a client that skips this console gets an error, not a study.
        try { StudySpecRules.Check(spec); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return spec;
    }

    public static double[] ParseTaus(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0)) throw new UsageException($"--taus: '{list}' has an empty value; give numbers separated by commas");
        var taus = parts.Select(p => TrainingOptionReader.ParseTau("taus", p)).ToArray();
        if (taus.Distinct().Count() != taus.Length) throw new UsageException($"--taus: '{list}' repeats a value");
        return taus;
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
