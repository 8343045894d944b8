using System.CommandLine;
using Study.Grains;
using Study.Grains.Hosting;
using Study.Training.Trainer;
using O = Study.Client.Cli.TrainingOptionDeclarations;

namespace Study.Client.Cli;

/// <summary>How the training options (<see cref="TrainingOptionDeclarations"/>) become <see cref="TrainingOptions"/>, with
/// the rules that join several of them.</summary>
public static class TrainingOptionReader
{
    /// <summary>The training options, checked together; τ (or τ−:τ+) comes from the caller (--tau or one of --taus).</summary>
    public static TrainingOptions Read(ParseResult parse, TauSetting tau)
    {
        var loss = parse.GetValue(O.Loss);
        var seed = parse.GetValue(O.Seed);
        var options = new TrainingOptions
        {
            Dataset = parse.GetValue(O.Dataset)!,
            DataDir = parse.GetValue(O.DataDir),
            Tau = loss.UsesTau() ? tau.Tau : null,
            TauMax = loss.UsesTau() ? tau.TauMax : null,
            TauSchedule = parse.GetValue(O.TauSchedule),
            TauPeriod = parse.GetValue(O.TauPeriod),
            Loss = loss,
            HardFraction = parse.GetValue(O.HardFraction),
            HardCount = parse.GetValue(O.HardCount),
            Negatives = parse.GetValue(O.Negatives),
            Encoder = parse.GetValue(O.Encoder),
            ProjectionHead = parse.GetValue(O.ProjectionHead),
            Epochs = parse.GetValue(O.Epochs),
            BatchSize = parse.GetValue(O.BatchSize),
            LearningRate = parse.GetValue(O.LearningRate),
            Optimizer = parse.GetValue(O.Optimizer),
            Momentum = parse.GetValue(O.Momentum),
            WeightDecay = parse.GetValue(O.WeightDecay),
            Schedule = parse.GetValue(O.Schedule),
            Seed = seed,
            SplitSeed = parse.GetValue(O.SplitSeed) ?? seed,
            Subset = parse.GetValue(O.Subset),
            EvalSubset = parse.GetValue(O.EvalSubset),
            Device = parse.GetValue(O.Device)!,
            Precision = parse.GetValue(O.Precision),
            Collapse = ReadCollapseRule(parse),
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return options;
    }

    static CollapseRule? ReadCollapseRule(ParseResult parse)
    {
        if (parse.GetValue(O.CollapseCheck) == "on") return new CollapseRule(parse.GetValue(O.CollapseUniformity), parse.GetValue(O.CollapseTolerance));
        if (parse.Given(O.CollapseUniformity) || parse.Given(O.CollapseTolerance))
            throw new UsageException($"--collapse-{(parse.Given(O.CollapseUniformity) ? "uniformity" : "tolerance")} sets the collapse rule, which --collapse-check off turns off");
        return null;
    }

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
        if (parts.Length != 2) throw new UsageException($"{option}: '{text}' is neither a τ nor a range τ−:τ+");
        var (low, high) = (ParseTau(option, parts[0]), ParseTau(option, parts[1]));
        if (low >= high) throw new UsageException($"{option}: the range {text} needs τ− below τ+");
        return new TauSetting(low, high);
    }

    /// <summary>A τ given on the command line: positive and finite.</summary>
    public static double ParseTau(string option, string text)
    {
        var tau = TypedOptions.ParseNumber(option, text);
        if (tau <= 0) throw new UsageException($"{option}: τ must be greater than 0, got {text}");
        return tau;
    }

    /// <summary>Threads for one trial in this process: --threads, or all the cores.</summary>
    public static int Threads(ParseResult parse) => parse.GetValue(O.Threads) ?? Environment.ProcessorCount;
}
