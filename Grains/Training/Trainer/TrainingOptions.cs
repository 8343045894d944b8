using Study.Training.Losses;

namespace Study.Training.Trainer;

/// <summary>Everything one trial's training and evaluation depend on (docs/CLI.md, for one τ and seed).</summary>
public sealed record TrainingOptions
{
    public string Dataset { get; init; } = Defaults.Dataset;
    public string? DataDir { get; init; }
    /// <summary>The temperature (τ− of a cosine schedule); null for a loss without one.</summary>
    public double? Tau { get; init; } = 0.2;
    /// <summary>τ+ of a cosine schedule; null for a constant τ.</summary>
    public double? TauMax { get; init; }
    public TauScheduleKind TauSchedule { get; init; } = Defaults.TauSchedule;
    /// <summary>The cosine schedule's period in epochs.</summary>
    public double TauPeriod { get; init; } = Defaults.TauPeriod;
    public LossKind Loss { get; init; } = Defaults.Loss;
    public double HardFraction { get; init; } = Defaults.HardFraction;
    /// <summary>K of --hard-count: the hard losses keep exactly K negatives (the paper: 4,095 of its bank); null: α.</summary>
    public int? HardCount { get; init; }
    public NegativeSource Negatives { get; init; } = Defaults.Negatives;
    public EncoderKind Encoder { get; init; } = Defaults.Encoder;
    public ProjectionHeadKind ProjectionHead { get; init; } = Defaults.ProjectionHead;
    public int Epochs { get; init; } = Defaults.Epochs;
    public int BatchSize { get; init; } = Defaults.BatchSize;
    public double LearningRate { get; init; } = Defaults.LearningRate;
    public OptimizerKind Optimizer { get; init; } = Defaults.Optimizer;
    public double Momentum { get; init; } = Defaults.Momentum;
    public double WeightDecay { get; init; } = Defaults.WeightDecay;
    public ScheduleKind Schedule { get; init; } = Defaults.Schedule;
    /// <summary>The trial's seed: weights, shuffling, augmentation.</summary>
    public long Seed { get; init; } = Defaults.Seed;
    /// <summary>The study's seed: the validation split and the subsets, the same for every trial of a study.</summary>
    public long SplitSeed { get; init; } = Defaults.Seed;
    public int? Subset { get; init; }
    public int? EvalSubset { get; init; }
    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or <c>auto</c> (CUDA when there is one).</summary>
    public string Device { get; init; } = Defaults.Device;
    /// <summary>fp32, or bf16 compute with fp32 master weights (<see cref="MixedPrecision"/>).</summary>
    public Precision Precision { get; init; } = Defaults.Precision;
    /// <summary>When a trial stops as collapsed; null: never (--collapse-check off).</summary>
    public CollapseRule? Collapse { get; init; } = CollapseRule.Default;

    public LossSettings LossSettings => new(Loss, Tau, HardFraction, Negatives, HardCount);

    /// <summary>How τ moves over the steps; null for a loss without τ.</summary>
    public TemperatureSchedule? Temperature => Tau is not { } tau ? null
        : TauSchedule == TauScheduleKind.Cosine ? new TemperatureSchedule(TauScheduleKind.Cosine, tau, TauMax ?? tau, TauPeriod)
        : TemperatureSchedule.Constant(tau);

    /// <summary>Throws <see cref="ArgumentException"/> naming the option for values no trial can run with.</summary>
    public void Validate()
    {
        if (Loss.UsesTau() && Tau is not (> 0 and < double.PositiveInfinity)) throw new ArgumentException($"--tau must be a positive number, got {Tau}");
        if (!Loss.UsesTau() && Tau is not null) throw new ArgumentException($"--loss {SettingName.Of(Loss)} has no τ; got τ = {Tau}");
        SettingNames<TauScheduleKind>.Check("tau-schedule", TauSchedule);
        if (TauSchedule == TauScheduleKind.Cosine)
        {
            if (!Loss.UsesTau()) throw new ArgumentException($"--tau-schedule cosine needs a loss with τ, not {SettingName.Of(Loss)}");
            if (TauMax is not { } high || !double.IsFinite(high) || high <= Tau)
                throw new ArgumentException($"--tau-schedule cosine needs τ− < τ+, got {Tau}:{TauMax}");
            if (!double.IsFinite(TauPeriod) || TauPeriod <= 0) throw new ArgumentException($"--tau-period must be a positive number of epochs, got {TauPeriod}");
        }
        else if (TauMax is not null) throw new ArgumentException($"a constant τ has no τ+; got {Tau}:{TauMax} (give --tau-schedule cosine)");
        if (!double.IsFinite(HardFraction) || HardFraction <= 0 || HardFraction > 1)
            throw new ArgumentException($"--hard-fraction must be in (0, 1], got {HardFraction}");
        if (HardCount is { } k)
        {
            if (!Loss.KeepsHardest()) throw new ArgumentException($"--hard-count applies to the hard losses (hard, hard-simple), not {SettingName.Of(Loss)}");
            if (k < 1) throw new ArgumentException($"--hard-count must be at least 1, got {k}");
            if (Negatives == NegativeSource.Batch && k > 2L * BatchSize - 2)
                throw new ArgumentException($"--hard-count {k} is more than the {2L * BatchSize - 2} batch negatives of --batch-size {BatchSize} (2B − 2)");
        }
        if (Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 2) throw new ArgumentException($"--batch-size must be at least 2, got {BatchSize}");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0) throw new ArgumentException($"--lr must be a positive number, got {LearningRate}");
        SettingNames<LossKind>.Check("loss", Loss);
        SettingNames<NegativeSource>.Check("negatives", Negatives);
        SettingNames<EncoderKind>.Check("encoder", Encoder);
        SettingNames<ProjectionHeadKind>.Check("projection-head", ProjectionHead);
        SettingNames<OptimizerKind>.Check("optimizer", Optimizer);
        SettingNames<ScheduleKind>.Check("schedule", Schedule);
        SettingNames<Precision>.Check("precision", Precision);
        if (Collapse is { } c)
        {
            if (!double.IsFinite(c.UniformityFloor) || c.UniformityFloor < 0)
                throw new ArgumentException($"--collapse-uniformity must be a number at least 0, got {c.UniformityFloor}");
            if (!double.IsFinite(c.ToleranceCeiling) || c.ToleranceCeiling > 1)
                throw new ArgumentException($"--collapse-tolerance must be a number at most 1, got {c.ToleranceCeiling}");
        }
        if (Subset is < 2) throw new ArgumentException($"--subset must be at least 2, got {Subset}");
        if (EvalSubset is < 2) throw new ArgumentException($"--eval-subset must be at least 2, got {EvalSubset}");
        if (!Data.DatasetCatalog.Names.Contains(Dataset)) throw new ArgumentException($"unknown --dataset '{Dataset}'");
        DeviceChoice.Parse(Device);
    }
}
