using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;

namespace Study.Client.Commands;

/// <summary>`study run`: a study to completion, in this process (embedded silo and store) unless --cluster is given.</summary>
public static class RunCommand
{
    public static async Task<int> Run(IReadOnlyList<string> args, CancellationToken cancel)
    {
        var a = ParsedArguments.Parse("run", args, StudyCommandOptions.Run);
        if (a.Positionals.Count > 0) throw new UsageException($"study run: unexpected argument '{a.Positionals[0]}'");
        var spec = StudyOptionReader.Read(a, StudyOptionReader.NewStudyId());
        if (StudyStores.Cluster(a) is not null)
        {
            var id = await SubmitCommand.Submit(a, spec);
            return await WatchCommand.Follow(a, id, cancel, cancelOnInterrupt: true);
        }
        StudyCommandOptions.CheckDevice(spec);
        StudyCommandOptions.CheckData(spec);
        var storePath = a.String("store", StudyStores.DefaultStore);
        await using var store = await StudyStores.Open(a, mustExist: false);
        return await EmbeddedStudy.Drive(store, storePath, spec, a.Value("out"), a.Flag("json"),
            grains => grains.GetGrain<IStudyGrain>(spec.StudyId).Start(spec), leaseFirst: false, cancel);
    }
}
