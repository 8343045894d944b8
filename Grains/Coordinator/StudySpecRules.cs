using System.Text.RegularExpressions;
using Study.Grains.Pruning;
using Study.Grains.Running;
using Study.Grains.Sampling;
using Study.Training.Losses;

namespace Study.Grains.Coordinator;

/// <summary>
/// What a study may ask for, checked alike by the `study` console (bad input: exit 2) and by the grains (a client
/// that skips the console gets an error, not a study): ids that are safe as file names, bounds on sizes, and every
/// trial's training options. The messages name the option as the command line spells it.
/// </summary>
public static partial class StudySpecRules
{
    public const int MaxSeeds = 100;
    public const int MaxTrialsPerSeed = 10_000;
    public const int MaxTotalTrials = 100_000;
    public const int MaxThreads = 256;
    public const int MaxBatchSize = 16_384;
    public const int MaxEpochs = 100_000;
    public const int MaxRestarts = 100;

    /// <summary>A study or trial id: letters, digits, '.', '_' and '-', starting with a letter or digit, so it can
    /// never name a parent folder or leave the artifacts folder.</summary>
    public static bool IsSafeId(string? id) => id is not null && SafeId().IsMatch(id);

    /// <summary>Whether two specs are one submission: equal but for the span that sent them.</summary>
    public static bool SameSubmission(StudySpec stored, StudySpec submitted) =>
        Storage.StudySpecJson.Write(stored with { TraceParent = null }) == Storage.StudySpecJson.Write(submitted with { TraceParent = null });

    /// <exception cref="ArgumentException">the first rule the spec breaks</exception>
    public static void Check(StudySpec s)
    {
        if (!IsSafeId(s.StudyId)) throw new ArgumentException($"study id '{s.StudyId}' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        SettingNames<SearchKind>.Check("search", s.Search);
        SettingNames<PrunerKind>.Check("pruner", s.Pruner);
        SettingNames<ObjectiveKind>.Check("objective", s.Objective);
        SettingNames<TauScheduleKind>.Check("tau-schedule", s.TauSchedule);
        if (s.Taus.Length == 0 || s.Taus.Length > MaxTrialsPerSeed) throw new ArgumentException($"--taus: give 1 to {Numbers.Count(MaxTrialsPerSeed)} values, got {Numbers.Count(s.Taus.Length)}");
        if (s.Taus.Any(t => !double.IsFinite(t) || t <= 0)) throw new ArgumentException("--taus: every τ must be a positive number");
        if (s.Taus.Distinct().Count() != s.Taus.Length) throw new ArgumentException("--taus: a value is repeated");
        CheckRanges(s);
        if (!double.IsFinite(s.TauPeriod) || s.TauPeriod <= 0) throw new ArgumentException($"--tau-period: {s.TauPeriod} must be a positive number of epochs");
        Bound("asha-reduction-factor", s.AshaReductionFactor, 2, 100);
        Bound("asha-min-epochs", s.AshaMinEpochs, 1, MaxEpochs);
        Bound("median-startup-trials", s.MedianStartupTrials, 0, MaxTotalTrials);
        Bound("median-warmup-epochs", s.MedianWarmupEpochs, 0, MaxEpochs);
        if (!double.IsFinite(s.TauMin) || !double.IsFinite(s.TauMax) || s.TauMin <= 0 || s.TauMin >= s.TauMax)
            throw new ArgumentException($"--tau-range: {s.TauMin}:{s.TauMax} must be two positive numbers, MIN below MAX");
        Bound("seeds", s.Seeds, 1, MaxSeeds);
        if (s.Trials is { } trials) Bound("trials", trials, 1, MaxTrialsPerSeed);
        if ((long)s.TrialsPerSeed * s.Seeds > MaxTotalTrials)
            throw new ArgumentException($"--seeds: {Numbers.Count(s.TrialsPerSeed)} trials × {s.Seeds} seeds is more than {Numbers.Count(MaxTotalTrials)} trials in one study");
        // τ values are kept to 6 decimals (trial ids, search): a range holds only so many distinct ones.
        if (s.UsesTau && s.Search != SearchKind.Grid && s.TrialsPerSeed > TauSamplers.Space(s).Count)
            throw new ArgumentException($"--trials: {s.TrialsPerSeed} trials need as many distinct τ, but --tau-range {s.TauMin}:{s.TauMax} " +
                $"holds only {TauSamplers.Space(s).Count} at {TauLattice.Decimals} decimals");
        Bound("epochs", s.Epochs, 1, MaxEpochs);
        Bound("batch-size", s.BatchSize, 2, MaxBatchSize);
        if (s.Threads is { } threads) Bound("threads", threads, 1, MaxThreads);
        if (s.Parallel is { } parallel) Bound("parallel", parallel, 1, MaxTotalTrials);
        Bound("max-restarts", s.MaxRestarts, 0, MaxRestarts);
        if (s.SyntheticEpochMs is < 0) throw new ArgumentException("synthetic epoch time must not be negative");
        // Every trial trains with the study's options and its own τ and seed: checked as `train` checks them (loss,
        // negatives, encoder, optimizer, schedule and precision among them).
        var first = s.UsesTau ? s.Grid[0] : (TauSetting?)null;
        TrainingOptionsMapping.For(s, new TrialSpec(s.StudyId, "check", 0, first?.Tau, s.Seed, first?.TauMax)).Validate();
        if (!double.IsFinite(s.Momentum) || s.Momentum is < 0 or >= 1) throw new ArgumentException($"--momentum: {s.Momentum} must be in [0, 1)");
        if (!double.IsFinite(s.WeightDecay) || s.WeightDecay < 0) throw new ArgumentException($"--weight-decay: {s.WeightDecay} must not be negative");
    }

    /// <summary>What a trial grain is given: its own ids (safe, and its grain's key), an attempt, and the trial's
    /// training options within the study's bounds.</summary>
    /// <exception cref="ArgumentException">the first rule the assignment breaks</exception>
    public static void CheckTrial(TrialAssignment a, string grainKey)
    {
        if (!IsSafeId(a.Trial.StudyId) || !IsSafeId(a.Trial.TrialId))
            throw new ArgumentException($"trial '{a.Trial.StudyId}/{a.Trial.TrialId}': ids must be letters, digits, '.', '_' or '-'");
        if (a.Trial.Key != grainKey) throw new ArgumentException($"trial '{a.Trial.Key}' was sent to the grain of '{grainKey}'");
        if (a.Attempt < 1) throw new ArgumentException($"trial '{a.Trial.Key}': attempt {a.Attempt} must be at least 1");
        Bound("epochs", a.Study.Epochs, 1, MaxEpochs);
        Bound("batch-size", a.Study.BatchSize, 2, MaxBatchSize);
        if (a.Study.Threads is { } threads) Bound("threads", threads, 1, MaxThreads);
        TrainingOptionsMapping.For(a.Study, a.Trial).Validate();
    }

    /// <summary>A cosine schedule's grid holds (τ−, τ+) pairs, τ− below τ+, each once; a constant τ has none.</summary>
    static void CheckRanges(StudySpec s)
    {
        if (!s.SearchesRanges)
        {
            if (s.TauRanges is not null) throw new ArgumentException("--taus: τ ranges (τ−:τ+) need --tau-schedule cosine");
            return;
        }
        var ranges = s.TauRanges ?? [];
        if (ranges.Length == 0 || ranges.Length > MaxTrialsPerSeed) throw new ArgumentException($"--taus: give 1 to {Numbers.Count(MaxTrialsPerSeed)} τ ranges, got {Numbers.Count(ranges.Length)}");
        foreach (var r in ranges)
            if (r is not [var low, var high] || !double.IsFinite(low) || !double.IsFinite(high) || low <= 0 || low >= high)
                throw new ArgumentException($"--taus: a τ range must be two positive numbers τ−:τ+ with τ− below τ+, got {string.Join(":", r ?? [])}");
        if (ranges.Select(r => (r[0], r[1])).Distinct().Count() != ranges.Length) throw new ArgumentException("--taus: a τ range is repeated");
    }

    static void Bound(string option, long value, long min, long max)
    {
        if (value < min || value > max) throw new ArgumentException($"--{option}: {Numbers.Count(value)} must be from {Numbers.Count(min)} to {Numbers.Count(max)}");
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex SafeId();
}
