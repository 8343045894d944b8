using Study.Training.Losses;

namespace Study.Training.Trainer;

/// <summary>Everything one trial's training and evaluation depend on (SPEC §2 study options, for one τ and seed).</summary>
public sealed record TrainingOptions
{
    public string Dataset { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    public double Tau { get; init; } = 0.2;
    public LossKind Loss { get; init; } = LossKind.InfoNce;
    public double HardFraction { get; init; } = 0.0819;
    public NegativeSource Negatives { get; init; } = NegativeSource.Batch;
    public string Encoder { get; init; } = "cnn-small";
    public int Epochs { get; init; } = Defaults.Epochs;
    public int BatchSize { get; init; } = Defaults.BatchSize;
    public double LearningRate { get; init; } = Defaults.LearningRate;
    public string Optimizer { get; init; } = Defaults.Optimizer;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 0;
    /// <summary><c>cosine</c> (to zero over the epochs), <c>step</c> (×0.1 at 80% and 95% of them, as the paper) or <c>constant</c>.</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>The trial's seed: weights, shuffling, augmentation.</summary>
    public long Seed { get; init; } = Defaults.Seed;
    /// <summary>The study's seed: the validation split and the subsets, the same for every trial of a study.</summary>
    public long SplitSeed { get; init; } = Defaults.Seed;
    public int? Subset { get; init; }
    public int? EvalSubset { get; init; }
    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or <c>auto</c> (CUDA when there is one).</summary>
    public string Device { get; init; } = "auto";
    /// <summary>fp32, or bf16 compute with fp32 master weights (<see cref="MixedPrecision"/>).</summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    public static readonly IReadOnlyList<string> PrecisionNames = ["fp32", "bf16"];

    public static Precision ParsePrecision(string text) => text switch
    {
        "fp32" => Precision.Fp32,
        "bf16" => Precision.Bf16,
        _ => throw new ArgumentException($"--precision must be fp32 or bf16, got '{text}'"),
    };

    public static string PrecisionName(Precision precision) => precision == Precision.Bf16 ? "bf16" : "fp32";

    public LossSettings LossSettings => new(Loss, Tau, HardFraction, Negatives);

    /// <summary>The pinned defaults of SPEC §2, sized so the default study ends in ≤ 15 min on 2 CPU cores.</summary>
    public static class Defaults
    {
        public const int Epochs = 2;
        public const int BatchSize = 256;
        public const double LearningRate = 1e-3;
        public const string Optimizer = "adam";
        public const long Seed = 1;
    }

    public static readonly IReadOnlyList<string> OptimizerNames = ["adam", "sgd"];
    public static readonly IReadOnlyList<string> ScheduleNames = ["cosine", "step", "constant"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the option for values no trial can run with.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Tau) || Tau <= 0) throw new ArgumentException($"--tau must be a positive number, got {Tau}");
        if (!double.IsFinite(HardFraction) || HardFraction <= 0 || HardFraction > 1)
            throw new ArgumentException($"--hard-fraction must be in (0, 1], got {HardFraction}");
        if (Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"--batch-size must be at least 2, got {BatchSize}");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0) throw new ArgumentException($"--lr must be a positive number, got {LearningRate}");
        if (!OptimizerNames.Contains(Optimizer)) throw new ArgumentException($"--optimizer must be one of {string.Join(", ", OptimizerNames)}, got '{Optimizer}'");
        if (!ScheduleNames.Contains(Schedule)) throw new ArgumentException($"--schedule must be one of {string.Join(", ", ScheduleNames)}, got '{Schedule}'");
        if (Subset is < 2) throw new ArgumentException($"--subset must be at least 2, got {Subset}");
        if (EvalSubset is < 2) throw new ArgumentException($"--eval-subset must be at least 2, got {EvalSubset}");
        if (!Data.DatasetCatalog.Names.Contains(Dataset)) throw new ArgumentException($"unknown --dataset '{Dataset}'");
        if (!Models.ContrastiveModel.EncoderNames.Contains(Encoder)) throw new ArgumentException($"unknown --encoder '{Encoder}'");
        DeviceChoice.Parse(Device);
    }
}
