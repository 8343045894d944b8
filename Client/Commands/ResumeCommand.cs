using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>
/// `study resume ID`: continues an interrupted study from its stored state and checkpoints. An embedded study is
/// driven here to its end, under its lease (refused while another process drives it); a cluster study is handed
/// back to its coordinator.
/// </summary>
public static class ResumeCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("resume", "resume ID [options]",
        "Continues an interrupted study from its stored state and its trials' checkpoints. Refuses (exit 2) while another process drives it.",
        ["./study resume ID", "./study resume ID --cluster CONN"],
        [CommonOptions.Out, CommonOptions.Json, TrainingOptionDeclarations.Threads, .. StudyStores.Options, CommonOptions.Dashboard])
        .WithStudyIds(several: false, Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        var id = CommonOptions.StudyId(parse);
        await using var store = await StudyStores.Open(parse, mustExist: true);
        var study = await store.GetStudy(id) ?? throw new UsageException($"no study '{id}' in the store");
        if (StudyStatuses.IsFinal(study.Status)) throw new UsageException($"study {id} is {study.Status}; there is nothing to resume");
        if (StudyStores.ClusterOf(parse) is { } connection)
        {
            await using var cluster = await ClusterConnection.Connect(connection);
            var snapshot = await cluster.Grains.GetGrain<IStudyGrain>(id).Resume();
            Console.WriteLine($"study {id}: {snapshot.Status}, {snapshot.Running} running, {snapshot.Queued} queued");
            return ExitCodes.Completed;
        }
        var spec = Study.Grains.Storage.StudySpecJson.Read(study.SpecJson);
        if (parse.GetValue(TrainingOptionDeclarations.Threads) is { } threads) spec = spec with { Threads = threads };
        StudyCommandOptions.CheckDevice(spec);
        return await EmbeddedStudy.Drive(store, parse, spec, grains => grains.GetGrain<IStudyGrain>(id).Resume(), leaseFirst: true, cancel);
    }
}
