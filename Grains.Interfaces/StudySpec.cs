namespace Study.Grains;

/// <summary>Everything a study was asked to do (docs/CLI.md), as run. Stored with the study.</summary>
[GenerateSerializer, Alias("study.StudySpec")]
public sealed record StudySpec
{
    [Id(0)] public string StudyId { get; init; } = "";
    [Id(1)] public string Dataset { get; init; } = Defaults.Dataset;
    [Id(2)] public string? DataDir { get; init; }
    [Id(3)] public double[] Taus { get; init; } = [.. Defaults.Taus];
    /// <summary>Whether --taus was given (adaptive search starts from them only then).</summary>
    [Id(4)] public bool TausGiven { get; init; }
    [Id(5)] public SearchKind Search { get; init; } = Defaults.Search;
    /// <summary>Total trials per seed for random and adaptive search (grid: the grid size).</summary>
    [Id(6)] public int? Trials { get; init; }
    [Id(7)] public double TauMin { get; init; } = Defaults.TauMin;
    [Id(8)] public double TauMax { get; init; } = Defaults.TauMax;
    [Id(9)] public int Seeds { get; init; } = Defaults.Seeds;
    [Id(10)] public ObjectiveKind Objective { get; init; } = Defaults.Objective;
    [Id(11)] public LossKind Loss { get; init; } = Defaults.Loss;
    [Id(12)] public double HardFraction { get; init; } = Defaults.HardFraction;
    [Id(13)] public NegativeSource Negatives { get; init; } = Defaults.Negatives;
    [Id(14)] public EncoderKind Encoder { get; init; } = Defaults.Encoder;
    [Id(15)] public int Epochs { get; init; } = Defaults.Epochs;
    [Id(16)] public int BatchSize { get; init; } = Defaults.BatchSize;
    [Id(17)] public double Lr { get; init; } = Defaults.LearningRate;
    [Id(18)] public OptimizerKind Optimizer { get; init; } = Defaults.Optimizer;
    [Id(19)] public double Momentum { get; init; } = Defaults.Momentum;
    [Id(20)] public double WeightDecay { get; init; } = Defaults.WeightDecay;
    [Id(21)] public ScheduleKind Schedule { get; init; } = Defaults.Schedule;
    [Id(22)] public long Seed { get; init; } = Defaults.Seed;
    [Id(23)] public int? Subset { get; init; }
    [Id(24)] public int? EvalSubset { get; init; }
    /// <summary>Most trials at once; null: all free slots.</summary>
    [Id(25)] public int? Parallel { get; init; }
    [Id(26)] public int? Threads { get; init; }
    [Id(27)] public PrunerKind Pruner { get; init; } = Defaults.Pruner;
    [Id(28)] public int MaxRestarts { get; init; } = Defaults.MaxRestarts;
    [Id(29)] public string Device { get; init; } = Defaults.Device;
    /// <summary>For benchmarks: a trainer that does no tensor work and reports each epoch after this many ms.</summary>
    [Id(30), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? SyntheticEpochMs { get; init; }
    /// <summary>fp32, or bf16 (bf16 compute, fp32 master weights).</summary>
    [Id(31)] public Precision Precision { get; init; } = Defaults.Precision;
    /// <summary>The W3C traceparent of the span that started the study: every later span of it (trial starts from the
    /// coordinator's timer, attempts, epochs) joins its trace. null when no one traced the start.</summary>
    [Id(32)] public string? TraceParent { get; init; }
    /// <summary>Constant τ, or cosine: τ oscillates between τ− and τ+ (the search is over those pairs).</summary>
    [Id(33)] public TauScheduleKind TauSchedule { get; init; } = Defaults.TauSchedule;
    /// <summary>The cosine schedule's period in epochs.</summary>
    [Id(34)] public double TauPeriod { get; init; } = Defaults.TauPeriod;
    /// <summary>The grid of a cosine schedule: its (τ−, τ+) pairs; null for a constant τ.</summary>
    [Id(35)] public double[][]? TauRanges { get; init; }
    [Id(36)] public int AshaReductionFactor { get; init; } = Defaults.AshaReductionFactor;
    [Id(37)] public int AshaMinEpochs { get; init; } = Defaults.AshaMinEpochs;
    [Id(38)] public int MedianStartupTrials { get; init; } = Defaults.MedianStartupTrials;
    [Id(39)] public int MedianWarmupEpochs { get; init; } = Defaults.MedianWarmupEpochs;
    /// <summary>The seed of the validation split and the training subset; null: <see cref="Seed"/>.</summary>
    [Id(40), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? SplitSeed { get; init; }
    /// <summary>--hard-count K: the hard losses keep exactly K negatives; null: the fraction <see cref="HardFraction"/>.</summary>
    [Id(41), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? HardCount { get; init; }
    [Id(42)] public ProjectionHeadKind ProjectionHead { get; init; } = Defaults.ProjectionHead;
    /// <summary>Whether a trial whose validation embedding collapses stops as collapsed (the collapse rule; docs/METRICS.md).</summary>
    [Id(43)] public bool CollapseCheck { get; init; } = true;
    [Id(44)] public double CollapseUniformity { get; init; } = Defaults.CollapseUniformity;
    [Id(45)] public double CollapseTolerance { get; init; } = Defaults.CollapseTolerance;

    /// <summary>The simple losses have no τ: one trial per seed.</summary>
    public bool UsesTau => Loss.UsesTau();

    /// <summary>Whether trials search (τ−, τ+) ranges of a cosine schedule rather than one τ.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool SearchesRanges => UsesTau && TauSchedule == TauScheduleKind.Cosine;

    /// <summary>The grid: the --taus values, or for a cosine schedule its (τ−, τ+) pairs.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<TauSetting> Grid => SearchesRanges
        ? (TauRanges ?? []).Select(r => new TauSetting(r[0], r[1])).ToList()
        : Taus.Select(t => new TauSetting(t)).ToList();

    /// <summary>Trials per seed: the grid size, or --trials.</summary>
    public int TrialsPerSeed => !UsesTau ? 1 : Search == SearchKind.Grid ? Grid.Count : Trials ?? Grid.Count;

    public int TotalTrials => TrialsPerSeed * Seeds;

    /// <summary>The validation metric the objective is ranked on (docs/OUTPUTS.md: best.value is on the validation split).</summary>
    public string ValidationObjective => Objective.ValidationMetricName();
}
