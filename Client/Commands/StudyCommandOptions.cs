using Study.Client.Cli;
using Study.Client.Connection;
using Study.Training.Data;

namespace Study.Client.Commands;

/// <summary>Option tables of the study commands, and the data check `run` and `submit` make before storing anything.</summary>
public static class StudyCommandOptions
{
    static readonly OptionSpec Out = new("out", "output folder (default: ./studies/<study-id>)", ValueName: "DIR");
    static readonly OptionSpec Json = OptionSpec.Flag("json", "print the results JSON on stdout instead of tables");

    /// <summary>Read before the command parses its options (Program), since the telemetry is set up before.</summary>
    static readonly OptionSpec Dashboard = OptionSpec.Flag("dashboard", "start the local dashboard (./study dashboard) if none runs, and send it this study's telemetry");

    public static readonly OptionSpec[] Run = [.. StudyOptionReader.StudySpecs, .. TrainingOptionReader.Specs, .. StudyStores.Specs, Dashboard];
    public static readonly OptionSpec[] Watch = [Out, Json, .. StudyStores.Specs];
    public static readonly OptionSpec[] Show = [Json, .. StudyStores.Specs];
    public static readonly OptionSpec[] Plain = [.. StudyStores.Specs];
    public static readonly OptionSpec[] Resume = [Out, Json, new("threads", "torch threads per trial", ValueName: "N"), .. StudyStores.Specs, Dashboard];

    /// <summary>The study id argument of watch, show, cancel, resume and report.</summary>
    public static string StudyId(ParsedArguments a, string command)
    {
        if (a.Positionals.Count != 1) throw new UsageException($"study {command} takes one study id (see study list)");
        return a.Positionals[0];
    }

    /// <summary>A study that trains in this process (embedded run, resume) needs the CUDA device it asks for here.</summary>
    public static void CheckDevice(Grains.StudySpec spec) => TrainingOptionReader.CheckDeviceHere(spec.Device);

    /// <summary>Loads the dataset once to find missing or corrupt files and impossible subsets before anything is stored.</summary>
    public static void CheckData(Grains.StudySpec spec)
    {
        var options = Grains.Running.TrainingOptionsMapping.For(spec, new Grains.TrialSpec(spec.StudyId, "check", 0, spec.Taus[0], spec.Seed));
        using var data = TrainCommand.LoadData(options);
        if (spec.BatchSize > data.Training.Length)
            Console.Error.WriteLine($"study: note: --batch-size {spec.BatchSize} is more than the {data.Training.Length} training images; one batch an epoch");
    }
}
