namespace Study.Settings;

/// <summary>
/// The one table of defaults (docs/CLI.md), read by the study spec, the training options, the option readers and the
/// help text. Sized so that the default study ends in ≤ 15 min on 2 CPU cores.
/// </summary>
public static class Defaults
{
    public const string Dataset = "fashion-mnist";
    public const LossKind Loss = LossKind.InfoNce;
    /// <summary>α of the hard losses: the fraction of nearest negatives kept (docs/LOSSES.md).</summary>
    public const double HardFraction = 0.0819;
    public const NegativeSource Negatives = NegativeSource.Batch;
    public const EncoderKind Encoder = EncoderKind.CnnSmall;
    public const ProjectionHeadKind ProjectionHead = ProjectionHeadKind.Mlp;
    public const int Epochs = 2;
    public const int BatchSize = 256;
    public const double LearningRate = 1e-3;
    public const OptimizerKind Optimizer = OptimizerKind.Adam;
    public const double Momentum = 0.9;
    public const double WeightDecay = 0;
    public const ScheduleKind Schedule = ScheduleKind.Cosine;
    public const long Seed = 1;
    /// <summary>cpu, cuda, cuda:N, or auto (CUDA when there is one).</summary>
    public const string Device = "auto";
    public const Precision Precision = Settings.Precision.Fp32;

    /// <summary>The paper's six temperatures.</summary>
    public static readonly IReadOnlyList<double> Taus = [0.07, 0.2, 0.3, 0.5, 0.7, 1.0];
    public const SearchKind Search = SearchKind.Grid;
    public const double TauMin = 0.02;
    public const double TauMax = 2;
    public const int Seeds = 1;
    public const ObjectiveKind Objective = ObjectiveKind.LinearAccuracy;
    public const PrunerKind Pruner = PrunerKind.None;
    /// <summary>ASHA's η: a trial continues past a rung when it is in the top 1/η there.</summary>
    public const int AshaReductionFactor = 3;
    /// <summary>ASHA's minimum resource r: its rungs are at epochs r, rη, rη², …</summary>
    public const int AshaMinEpochs = 1;
    /// <summary>The median pruner prunes nothing until this many trials have completed (Optuna's n_startup_trials).</summary>
    public const int MedianStartupTrials = 5;
    /// <summary>The median pruner judges no epoch up to this one (Optuna's n_warmup_steps).</summary>
    public const int MedianWarmupEpochs = 0;
    public const int MaxRestarts = 3;
    /// <summary>The collapse rule's uniformity floor: a collapsed projection measures 0.0000–0.0003 here; healthy runs
    /// were below it for one epoch at most (docs/METRICS.md, "Collapsed").</summary>
    public const double CollapseUniformity = 0.1;
    /// <summary>The collapse rule's tolerance ceiling: collapsed 0.9999 and above; healthy runs up to 0.9958 (synthetic
    /// data, whose classes are tight).</summary>
    public const double CollapseTolerance = 0.999;
    public const TauScheduleKind TauSchedule = TauScheduleKind.Constant;
    /// <summary>The cosine τ schedule's period in epochs.</summary>
    public const double TauPeriod = 2;
}
