using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>`study submit`: starts a study on --cluster and prints its id as the last line.</summary>
public static class SubmitCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("submit", "submit --cluster CONN [options]",
        "Submits a study to a running cluster and prints its id as the last line; the study runs on the cluster's silos.",
        ["./study submit --cluster \"Host=db;Username=study;Password=…;Database=study\" --taus 0.07,0.2,0.5"],
        StudyCommandOptions.Study).WithAction(Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        if (StudyStores.ClusterOf(parse) is null) throw new UsageException("study submit needs --cluster CONN (or STUDY_CLUSTER); without a cluster use study run");
        var spec = StudyOptionReader.Read(parse, StudyOptionReader.NewStudyId());
        Console.WriteLine(await Submit(parse, spec));
        return ExitCodes.Completed;
    }

    public static async Task<string> Submit(ParseResult parse, StudySpec spec)
    {
        // The data lives on the silos; check it here too when this machine has it.
        var dir = spec.DataDir ?? Training.Data.DatasetCatalog.DefaultDataDir(spec.Dataset);
        if (spec.Dataset == "synthetic" || (dir is not null && Directory.Exists(dir))) StudyCommandOptions.CheckData(spec);
        await using var store = await StudyStores.Open(parse, mustExist: false); // creates the schema, checks the database
        await using var cluster = await ClusterConnection.Connect(StudyStores.ClusterOf(parse)!);
        await cluster.Grains.GetGrain<IStudyGrain>(spec.StudyId).Start(spec);
        StudyLog.Started(spec, "on the cluster");
        return spec.StudyId;
    }
}
