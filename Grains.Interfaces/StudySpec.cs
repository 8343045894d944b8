namespace Study.Grains;

/// <summary>Everything a study was asked to do (SPEC §2 study options), as run. Stored with the study.</summary>
[GenerateSerializer, Alias("study.StudySpec")]
public sealed record StudySpec
{
    public static readonly double[] PaperTaus = [0.07, 0.2, 0.3, 0.5, 0.7, 1.0];

    [Id(0)] public string StudyId { get; init; } = "";
    [Id(1)] public string Dataset { get; init; } = "fashion-mnist";
    [Id(2)] public string? DataDir { get; init; }
    [Id(3)] public double[] Taus { get; init; } = PaperTaus;
    /// <summary>Whether --taus was given (adaptive search starts from them only then).</summary>
    [Id(4)] public bool TausGiven { get; init; }
    [Id(5)] public string Search { get; init; } = "grid";
    /// <summary>Total trials per seed for random and adaptive search (grid: the grid size).</summary>
    [Id(6)] public int? Trials { get; init; }
    [Id(7)] public double TauMin { get; init; } = 0.02;
    [Id(8)] public double TauMax { get; init; } = 2;
    [Id(9)] public int Seeds { get; init; } = 1;
    [Id(10)] public string Objective { get; init; } = "linear_accuracy";
    [Id(11)] public string Loss { get; init; } = "infonce";
    [Id(12)] public double HardFraction { get; init; } = 0.0819;
    [Id(13)] public string Negatives { get; init; } = "batch";
    [Id(14)] public string Encoder { get; init; } = "cnn-small";
    [Id(15)] public int Epochs { get; init; } = 2;
    [Id(16)] public int BatchSize { get; init; } = 256;
    [Id(17)] public double Lr { get; init; } = 1e-3;
    [Id(18)] public string Optimizer { get; init; } = "adam";
    [Id(19)] public double Momentum { get; init; } = 0.9;
    [Id(20)] public double WeightDecay { get; init; }
    [Id(21)] public string Schedule { get; init; } = "cosine";
    [Id(22)] public long Seed { get; init; } = 1;
    [Id(23)] public int? Subset { get; init; }
    [Id(24)] public int? EvalSubset { get; init; }
    /// <summary>Most trials at once; null: all free slots.</summary>
    [Id(25)] public int? Parallel { get; init; }
    [Id(26)] public int? Threads { get; init; }
    [Id(27)] public string Pruner { get; init; } = "none";
    [Id(28)] public int MaxRestarts { get; init; } = 3;
    [Id(29)] public string Device { get; init; } = "auto";
    /// <summary>For benchmarks: a trainer that does no tensor work and reports each epoch after this many ms.</summary>
    [Id(30)] public int? SyntheticEpochMs { get; init; }
    /// <summary>fp32, or bf16 (bf16 compute, fp32 master weights).</summary>
    [Id(31)] public string Precision { get; init; } = "fp32";
    /// <summary>The W3C traceparent of the span that started the study: every later span of it (trial starts from the
    /// coordinator's timer, attempts, epochs) joins its trace. null when no one traced the start.</summary>
    [Id(32)] public string? TraceParent { get; init; }

    /// <summary>The simple losses have no τ: one trial per seed.</summary>
    public bool UsesTau => Loss is "infonce" or "hard";

    /// <summary>Trials per seed: the grid size, or --trials.</summary>
    public int TrialsPerSeed => !UsesTau ? 1 : Search == "grid" ? Taus.Length : Trials ?? Taus.Length;

    public int TotalTrials => TrialsPerSeed * Seeds;

    /// <summary>The validation metric the objective is ranked on (SPEC §4: best.value is on the validation split).</summary>
    public string ValidationObjective => "val_" + Objective;
}
