using System.CommandLine;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Hosting;
using S = Study.Client.Cli.StudyOptionDeclarations;
using T = Study.Client.Cli.TrainingOptionDeclarations;

namespace Study.Client.Cli;

/// <summary>The study options of `run` and `submit` (docs/CLI.md), read and checked together into a <see cref="StudySpec"/>.</summary>
public static class StudyOptionReader
{
    public static StudySpec Read(ParseResult parse, string studyId)
    {
        var schedule = parse.GetValue(T.TauSchedule);
        var grid = Grid(parse.GetValue(S.Taus)!, schedule, parse.GetResult(S.Taus)?.Tokens.SingleOrDefault()?.Value);
        var search = parse.GetValue(S.Search);
        var range = parse.GetValue(S.TauRange);
        var trials = parse.GetValue(S.Trials);
        if (search == SearchKind.Grid && trials is not null) throw new UsageException("--trials applies to --search random or adaptive; the grid runs every --taus value");
        // Every training option is checked as `train` checks it (with a placeholder τ: the grid's are checked above).
        var training = TrainingOptionReader.Read(parse, grid[0]);
        var spec = new StudySpec
        {
            StudyId = studyId,
            Dataset = training.Dataset,
            DataDir = training.DataDir,
            Taus = grid.Any(t => t.IsRange) ? [.. grid.SelectMany(t => new[] { t.Low, t.High }).Distinct().Order()] : [.. grid.Select(t => t.Tau)],
            TauRanges = schedule == TauScheduleKind.Cosine && training.Loss.UsesTau() ? [.. grid.Select(t => new[] { t.Low, t.High })] : null,
            TauSchedule = training.TauSchedule,
            TauPeriod = training.TauPeriod,
            TausGiven = parse.Given(S.Taus),
            Search = search,
            Trials = trials,
            TauMin = range.Min,
            TauMax = range.Max,
            Seeds = parse.GetValue(S.Seeds),
            Objective = parse.GetValue(S.Objective),
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
            SplitSeed = parse.Given(T.SplitSeed) ? training.SplitSeed : null,
            Subset = training.Subset,
            EvalSubset = training.EvalSubset,
            Parallel = parse.GetValue(S.Parallel),
            Threads = parse.GetValue(T.Threads),
            Pruner = parse.GetValue(S.Pruner),
            AshaReductionFactor = parse.GetValue(S.AshaReductionFactor),
            AshaMinEpochs = parse.GetValue(S.AshaMinEpochs),
            MedianStartupTrials = parse.GetValue(S.MedianStartupTrials),
            MedianWarmupEpochs = parse.GetValue(S.MedianWarmupEpochs),
            MaxRestarts = parse.GetValue(S.MaxRestarts),
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

    /// <summary>The grid of --taus: its τ values, or under a cosine schedule its τ−:τ+ ranges (plain values: every pair of them).</summary>
    /// <param name="given">--taus as given (null: the default)</param>
    static IReadOnlyList<TauSetting> Grid(IReadOnlyList<TauSetting> points, TauScheduleKind schedule, string? given)
    {
        var list = given ?? string.Join(",", points);
        int ranges = points.Count(p => p.IsRange);
        if (ranges > 0 && schedule != TauScheduleKind.Cosine)
            throw new UsageException($"--taus: '{list}' gives τ ranges τ−:τ+, which need --tau-schedule cosine");
        if (ranges > 0 && ranges < points.Count)
            throw new UsageException($"--taus: '{list}' mixes τ values and τ−:τ+ ranges; give one kind");
        if (ranges > 0 || schedule != TauScheduleKind.Cosine) return points;
        var sorted = points.Select(t => t.Tau).Order().ToList();
        if (sorted.Count < 2) throw new UsageException("--taus: a cosine schedule needs two τ values at least (or τ−:τ+ ranges)");
        return [.. from i in Enumerable.Range(0, sorted.Count) from j in Enumerable.Range(i + 1, sorted.Count - i - 1)
                   select new TauSetting(sorted[i], sorted[j])];
    }

    public static string NewStudyId() => TrialNaming.NewStudyId("study");
}
