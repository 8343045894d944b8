using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;

namespace Study.Client.Commands;

/// <summary>
/// `study resume ID`: continues an interrupted study from its stored state and checkpoints. An embedded study is
/// driven here to its end, under its lease (refused while another process drives it); a cluster study is handed
/// back to its coordinator.
/// </summary>
public static class ResumeCommand
{
    public static async Task<int> Run(IReadOnlyList<string> args, CancellationToken cancel)
    {
        var a = ParsedArguments.Parse("resume", args, StudyCommandOptions.Resume);
        var id = StudyCommandOptions.StudyId(a, "resume");
        await using var store = await StudyStores.Open(a, mustExist: true);
        var study = await store.GetStudy(id) ?? throw new UsageException($"no study '{id}' in the store");
        if (StudyStatuses.IsFinal(study.Status)) throw new UsageException($"study {id} is {study.Status}; there is nothing to resume");
        if (StudyStores.Cluster(a) is { } connection)
        {
            await using var cluster = await ClusterConnection.Connect(connection);
            var snapshot = await cluster.Grains.GetGrain<IStudyGrain>(id).Resume();
            Console.WriteLine($"study {id}: {snapshot.Status}, {snapshot.Running} running, {snapshot.Queued} queued");
            return ExitCodes.Completed;
        }
        var spec = Study.Grains.Storage.StudySpecJson.Read(study.SpecJson);
        if (a.Int("threads", min: 1) is { } threads) spec = spec with { Threads = threads };
        StudyCommandOptions.CheckDevice(spec);
        return await EmbeddedStudy.Drive(store, a.String("store", StudyStores.DefaultStore), spec, a.Value("out"),
            a.Flag("json"), grains => grains.GetGrain<IStudyGrain>(id).Resume(), leaseFirst: true, cancel);
    }
}
