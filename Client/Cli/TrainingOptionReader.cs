using Study.Grains;
using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Trainer;
using D = Study.Settings.Defaults;

namespace Study.Client.Cli;

/// <summary>The options shared by every command that trains (run, submit, train), and how they become <see cref="TrainingOptions"/>.</summary>
public static class TrainingOptionReader
{
    public static readonly OptionSpec[] Specs =
    [
        new("dataset", $"{string.Join(", ", DatasetCatalog.Names)}", ValueName: "NAME", Default: D.Dataset),
        new("data-dir", "folder of the dataset's files (default: per dataset; fashion-mnist: /usr/share/datasets/fashion-mnist)", ValueName: "DIR"),
        new("loss", $"{Names<LossKind>()} (the simple losses have no τ)", ValueName: "NAME", Default: SettingName.Of(D.Loss)),
        new("hard-fraction", "α of the hard losses: fraction of nearest negatives kept", Default: Number(D.HardFraction)),
        new("hard-count", "keep exactly K nearest negatives instead of a fraction (the paper: 4095 of its bank; all where there are fewer)", ValueName: "K"),
        new("negatives", "batch (SimCLR, 2B−2 in-batch negatives) or memory-bank (InstDisc-style)", ValueName: "NAME", Default: SettingName.Of(D.Negatives)),
        new("encoder", Names<EncoderKind>(), ValueName: "NAME", Default: SettingName.Of(D.Encoder)),
        new("projection-head", "mlp (Linear-ReLU-Linear) or mlp-bn (batch norm before the ReLU, as SimCLR's; what a memory bank needs)",
            ValueName: "NAME", Default: SettingName.Of(D.ProjectionHead)),
        new("epochs", "training epochs per trial", ValueName: "N", Default: D.Epochs.ToString()),
        new("batch-size", "images per step (each seen in two views)", ValueName: "N", Default: D.BatchSize.ToString()),
        new("lr", "base learning rate", Default: Number(D.LearningRate)),
        new("optimizer", $"{Names<OptimizerKind>()} (sgd with --momentum)", ValueName: "NAME", Default: SettingName.Of(D.Optimizer)),
        new("momentum", "momentum of sgd", Default: Number(D.Momentum)),
        new("weight-decay", "L2 weight decay", Default: Number(D.WeightDecay)),
        new("schedule", "learning-rate schedule: cosine, step (×0.1 at 80% and 95%) or constant", ValueName: "NAME", Default: SettingName.Of(D.Schedule)),
        new("tau-schedule", "constant, or cosine: τ moves from τ+ to τ− and back every --tau-period epochs (give τ as τ−:τ+)", ValueName: "NAME",
            Default: SettingName.Of(D.TauSchedule)),
        new("tau-period", "period of the cosine τ schedule, in epochs", ValueName: "EPOCHS", Default: Number(D.TauPeriod)),
        new("seed", "random seed (the validation split, weights, shuffling, augmentation)", ValueName: "N", Default: D.Seed.ToString()),
        new("split-seed", "seed of the validation split and the training subset alone, so studies of different seeds share their data", ValueName: "N", Default: "--seed"),
        new("subset", "training images used (default: all)", ValueName: "N"),
        new("eval-subset", "test images evaluated (default: all)", ValueName: "N"),
        new("threads", "torch threads per trial (default: the slot's share of the cores)", ValueName: "N"),
        new("device", "auto, cpu, cuda or cuda:N", ValueName: "NAME", Default: D.Device),
        new("precision", "fp32, or bf16 (bf16 compute with fp32 master weights; pays on GPUs)", ValueName: "NAME", Default: SettingName.Of(D.Precision)),
        new("collapse-check", "on: a trial whose validation embedding collapses stops as collapsed (docs/METRICS.md); off: never",
            ValueName: "on|off", Default: "on"),
        new("collapse-uniformity", "the collapse rule's floor of validation uniformity", Default: Number(D.CollapseUniformity)),
        new("collapse-tolerance", "the collapse rule's ceiling of validation tolerance", Default: Number(D.CollapseTolerance)),
        new("out", "output folder (default: ./studies/<study-id>)", ValueName: "DIR"),
        OptionSpec.Flag("json", "print the results JSON on stdout instead of tables"),
        new("config", "a JSON file with the same options in camelCase; flags override it", ValueName: "FILE"),
    ];

    /// <summary>Reads and checks every training option; τ (or τ−:τ+) comes from the caller (--tau or one of --taus).</summary>
    public static TrainingOptions Read(ParsedArguments a, TauSetting tau)
    {
        var dataset = a.Choice("dataset", DatasetCatalog.Names, D.Dataset);
        var loss = a.Setting("loss", D.Loss);
        var hardFraction = a.Double("hard-fraction", positive: true) ?? D.HardFraction;
        if (hardFraction > 1) throw new UsageException($"--hard-fraction: {hardFraction} must be in (0, 1]");
        var seed = a.Int("seed", min: 0) ?? (int)D.Seed;
        var options = new TrainingOptions
        {
            Dataset = dataset,
            DataDir = a.Value("data-dir"),
            Tau = loss.UsesTau() ? tau.Tau : null,
            TauMax = loss.UsesTau() ? tau.TauMax : null,
            TauSchedule = a.Setting("tau-schedule", D.TauSchedule),
            TauPeriod = a.Double("tau-period", positive: true) ?? D.TauPeriod,
            Loss = loss,
            HardFraction = hardFraction,
            HardCount = a.Int("hard-count", min: 1),
            Negatives = a.Setting("negatives", D.Negatives),
            Encoder = a.Setting("encoder", D.Encoder),
            ProjectionHead = a.Setting("projection-head", D.ProjectionHead),
            Epochs = a.Int("epochs", min: 1, max: Grains.Coordinator.StudySpecRules.MaxEpochs) ?? D.Epochs,
            BatchSize = a.Int("batch-size", min: 2, max: Grains.Coordinator.StudySpecRules.MaxBatchSize) ?? D.BatchSize,
            LearningRate = a.Double("lr", positive: true) ?? D.LearningRate,
            Optimizer = a.Setting("optimizer", D.Optimizer),
            Momentum = a.Double("momentum") ?? D.Momentum,
            WeightDecay = a.Double("weight-decay") ?? D.WeightDecay,
            Schedule = a.Setting("schedule", D.Schedule),
            Seed = seed,
            SplitSeed = a.Int("split-seed", min: 0) ?? seed,
            Subset = a.Int("subset", min: 2),
            EvalSubset = a.Int("eval-subset", min: 2),
            Device = a.String("device", D.Device),
            Precision = a.Setting("precision", D.Precision),
            Collapse = ReadCollapseRule(a),
        };
        if (options.Momentum is < 0 or >= 1) throw new UsageException($"--momentum: {options.Momentum} must be in [0, 1)");
        if (options.WeightDecay < 0) throw new UsageException($"--weight-decay: {options.WeightDecay} must not be negative");
        try { options.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return options;
    }

    static CollapseRule? ReadCollapseRule(ParsedArguments a)
    {
        double? floor = a.Double("collapse-uniformity"), ceiling = a.Double("collapse-tolerance");
        if (a.Choice("collapse-check", ["on", "off"], "on") == "on") return new CollapseRule(floor ?? D.CollapseUniformity, ceiling ?? D.CollapseTolerance);
        if (floor is not null || ceiling is not null)
            throw new UsageException($"--collapse-{(floor is not null ? "uniformity" : "tolerance")} sets the collapse rule, which --collapse-check off turns off");
        return null;
    }

    static string Names<T>() where T : struct, Enum => string.Join(", ", SettingNames<T>.All);

    static string Number(double value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>For commands that train in this process: a CUDA device asked for must exist here (else exit 2).</summary>
    public static void CheckDeviceHere(string device)
    {
        try { TrainingDevice.CheckAvailable(DeviceChoice.Parse(device)); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>A τ, or a cosine schedule's τ−:τ+, given on the command line: positive, finite, τ− below τ+.</summary>
    public static TauSetting ParseTauSetting(string option, string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 1) return ParseTau(option, text);
        if (parts.Length != 2) throw new UsageException($"--{option}: '{text}' is neither a τ nor a range τ−:τ+");
        var (low, high) = (ParseTau(option, parts[0]), ParseTau(option, parts[1]));
        if (low >= high) throw new UsageException($"--{option}: the range {text} needs τ− below τ+");
        return new TauSetting(low, high);
    }

    /// <summary>A τ given on the command line: positive and finite.</summary>
    public static double ParseTau(string option, string text)
    {
        var tau = ParsedArguments.ParseNumber(option, text);
        if (tau <= 0) throw new UsageException($"--{option}: τ must be greater than 0, got {text}");
        return tau;
    }

    /// <summary>Threads for one trial in this process: --threads, or all the cores.</summary>
    public static int Threads(ParsedArguments a) => a.Int("threads", min: 1, max: Grains.Coordinator.StudySpecRules.MaxThreads) ?? Environment.ProcessorCount;
}
