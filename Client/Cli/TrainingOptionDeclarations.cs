using System.CommandLine;
using Study.Grains.Coordinator;
using Study.Training.Data;
using Study.Training.Trainer;
using static Study.Grains.Hosting.TypedOptions;
using D = Study.Settings.Defaults;

namespace Study.Client.Cli;

/// <summary>The options of every command that trains (run, submit, train; bench takes some of them): each declared
/// once, with its type, rules, help and default. <see cref="TrainingOptionReader"/> reads them.</summary>
public static class TrainingOptionDeclarations
{
    public static readonly Option<string> Dataset = Choice("--dataset", string.Join(", ", DatasetCatalog.Names), DatasetCatalog.Names, D.Dataset);
    public static readonly Option<string?> DataDir =
        Text("--data-dir", "folder of the dataset's files (default: per dataset; fashion-mnist: /usr/share/datasets/fashion-mnist)", "DIR");
    public static readonly Option<LossKind> Loss = Setting("--loss", $"{Names<LossKind>()} (the simple losses have no τ)", D.Loss);
    public static readonly Option<double> HardFraction = Number("--hard-fraction", "α of the hard losses: fraction of nearest negatives kept", D.HardFraction,
        v => v is > 0 and <= 1 ? null : $"{Numbers.Setting(v)} must be in (0, 1]");
    public static readonly Option<int?> HardCount = OptionalInt("--hard-count",
        "keep exactly K nearest negatives instead of a fraction (the paper: 4095 of its bank; all where there are fewer)", min: 1, helpName: "K");
    public static readonly Option<NegativeSource> Negatives =
        Setting("--negatives", "batch (SimCLR, 2B−2 in-batch negatives) or memory-bank (InstDisc-style)", D.Negatives);
    public static readonly Option<EncoderKind> Encoder = Setting("--encoder", Names<EncoderKind>(), D.Encoder);
    public static readonly Option<ProjectionHeadKind> ProjectionHead = Setting("--projection-head",
        "mlp (Linear-ReLU-Linear) or mlp-bn (batch norm before the ReLU, as SimCLR's; what a memory bank needs)", D.ProjectionHead);
    public static readonly Option<int> Epochs = Int("--epochs", "training epochs per trial", D.Epochs, min: 1, max: StudySpecRules.MaxEpochs);
    public static readonly Option<int> BatchSize = Int("--batch-size", "images per step (each seen in two views)", D.BatchSize, min: 2, max: StudySpecRules.MaxBatchSize);
    public static readonly Option<double> LearningRate = Number("--lr", "base learning rate", D.LearningRate, Positive);
    public static readonly Option<OptimizerKind> Optimizer = Setting("--optimizer", $"{Names<OptimizerKind>()} (sgd with --momentum)", D.Optimizer);
    public static readonly Option<double> Momentum = Number("--momentum", "momentum of sgd", D.Momentum, v => v is >= 0 and < 1 ? null : $"{Numbers.Setting(v)} must be in [0, 1)");
    public static readonly Option<double> WeightDecay = Number("--weight-decay", "L2 weight decay", D.WeightDecay, v => v >= 0 ? null : $"{Numbers.Setting(v)} must not be negative");
    public static readonly Option<ScheduleKind> Schedule =
        Setting("--schedule", "learning-rate schedule: cosine, step (×0.1 at 80% and 95%) or constant", D.Schedule);
    public static readonly Option<TauScheduleKind> TauSchedule = Setting("--tau-schedule",
        "constant, or cosine: τ moves from τ+ to τ− and back every --tau-period epochs (give τ as τ−:τ+)", D.TauSchedule);
    public static readonly Option<double> TauPeriod = Number("--tau-period", "period of the cosine τ schedule, in epochs", D.TauPeriod, Positive, helpName: "EPOCHS");
    public static readonly Option<int> Seed = Int("--seed", "random seed (the validation split, weights, shuffling, augmentation)", (int)D.Seed, min: 0);
    public static readonly Option<int?> SplitSeed = OptionalInt("--split-seed",
        "seed of the validation split and the training subset alone, so studies of different seeds share their data (default: --seed)", min: 0);
    public static readonly Option<int?> Subset = OptionalInt("--subset", "training images used (default: all)", min: 2);
    public static readonly Option<int?> EvalSubset = OptionalInt("--eval-subset", "test images evaluated (default: all)", min: 2);
    public static readonly Option<int?> Threads = OptionalInt("--threads",
        "torch threads per trial (default: the slot's share of the cores; train and bench: all of them)", min: 1, max: StudySpecRules.MaxThreads);
    public static readonly Option<string> Device = DeviceOption();
    public static readonly Option<Precision> Precision =
        Setting("--precision", "fp32, or bf16 (bf16 compute with fp32 master weights; pays on GPUs)", D.Precision);
    public static readonly Option<string> CollapseCheck = Choice("--collapse-check",
        "on: a trial whose validation embedding collapses stops as collapsed (docs/METRICS.md); off: never", ["on", "off"], "on", helpName: "on|off");
    public static readonly Option<double> CollapseUniformity = Number("--collapse-uniformity", "the collapse rule's floor of validation uniformity", D.CollapseUniformity);
    public static readonly Option<double> CollapseTolerance = Number("--collapse-tolerance", "the collapse rule's ceiling of validation tolerance", D.CollapseTolerance);

    /// <summary>Every training option, in the order help lists them.</summary>
    public static readonly Option[] All =
    [
        Dataset, DataDir, Loss, HardFraction, HardCount, Negatives, Encoder, ProjectionHead, Epochs, BatchSize, LearningRate, Optimizer, Momentum,
        WeightDecay, Schedule, TauSchedule, TauPeriod, Seed, SplitSeed, Subset, EvalSubset, Threads, Device, Precision, CollapseCheck,
        CollapseUniformity, CollapseTolerance,
    ];

    static Option<string> DeviceOption()
    {
        var option = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N", HelpName = "NAME", DefaultValueFactory = _ => D.Device };
        option.Validators.Add(r =>
        {
            try { DeviceChoice.Parse(r.GetValueOrDefault<string>()); }
            catch (ArgumentException e) { r.AddError(e.Message); }
        });
        option.CompletionSources.Add("auto", "cpu", "cuda");
        return option;
    }

    static string Names<T>() where T : struct, Enum => string.Join(", ", SettingNames<T>.All);
}
