using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;

namespace Study.Client.Commands;

/// <summary>`study submit`: starts a study on --cluster and prints its id as the last line.</summary>
public static class SubmitCommand
{
    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var a = ParsedArguments.Parse("submit", args, StudyCommandOptions.Run);
        if (a.Positionals.Count > 0) throw new UsageException($"study submit: unexpected argument '{a.Positionals[0]}'");
        if (StudyStores.Cluster(a) is null) throw new UsageException("study submit needs --cluster CONN (or STUDY_CLUSTER); without a cluster use study run");
        var spec = StudyOptionReader.Read(a, StudyOptionReader.NewStudyId());
        Console.WriteLine(await Submit(a, spec));
        return ExitCodes.Completed;
    }

    public static async Task<string> Submit(ParsedArguments a, StudySpec spec)
    {
        // The data lives on the silos; check it here too when this machine has it.
        var dir = spec.DataDir ?? Training.Data.DatasetCatalog.DefaultDataDir(spec.Dataset);
        if (spec.Dataset == "synthetic" || (dir is not null && Directory.Exists(dir))) StudyCommandOptions.CheckData(spec);
        await using var store = await StudyStores.Open(a, mustExist: false); // creates the schema, checks the database
        await using var cluster = await ClusterConnection.Connect(StudyStores.Cluster(a)!);
        await cluster.Grains.GetGrain<IStudyGrain>(spec.StudyId).Start(spec);
        StudyLog.Started(spec, "on the cluster");
        return spec.StudyId;
    }
}
