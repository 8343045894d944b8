using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;

namespace Study.Client.Commands;

/// <summary>The options of the commands that start a study (run, submit), and the checks they make before storing anything.</summary>
public static class StudyCommandOptions
{
    public static readonly Option[] Study =
    [
        .. StudyOptionDeclarations.All, .. TrainingOptionDeclarations.All, CommonOptions.Out, CommonOptions.Json, CommonOptions.Config,
        .. StudyStores.Options, CommonOptions.Dashboard,
    ];

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
