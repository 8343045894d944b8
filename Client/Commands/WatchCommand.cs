using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains;

namespace Study.Client.Commands;

/// <summary>`study watch ID`: progress until the study ends, then its output folder.</summary>
public static class WatchCommand
{
    public static Task<int> Run(IReadOnlyList<string> args, CancellationToken cancel)
    {
        var a = ParsedArguments.Parse("watch", args, StudyCommandOptions.Watch);
        return Follow(a, StudyCommandOptions.StudyId(a, "watch"), cancel, cancelOnInterrupt: false);
    }

    /// <param name="cancelOnInterrupt">Ctrl-C cancels the study (run), or only stops watching (watch)</param>
    public static async Task<int> Follow(ParsedArguments a, string studyId, CancellationToken cancel, bool cancelOnInterrupt)
    {
        await using var store = await StudyStores.Open(a, mustExist: true);
        if (await store.GetStudy(studyId) is null) throw new UsageException($"no study '{studyId}' in the store");
        Func<Task>? onCancel = null;
        bool cancelledHere = false;
        if (cancelOnInterrupt && StudyStores.Cluster(a) is { } connection)
            onCancel = async () =>
            {
                cancelledHere = true;
                await using var cluster = await ClusterConnection.Connect(connection);
                await cluster.Grains.GetGrain<IStudyGrain>(studyId).Cancel();
            };
        var progress = StudyProgress.For(store, studyId, a.Flag("json"), "stop watching; the study goes on in the cluster");
        var final = await progress.Follow(cancel, onCancel, Termination.Requested);
        if (final is null)
        {
            Console.Error.WriteLine($"study {studyId}: no longer watched; it goes on. Follow it again with: ./study watch {studyId}");
            return ExitCodes.Cancelled;
        }
        StudyLog.Ended(studyId, final.Status);
        var results = (await StudyResults.Load(store, studyId))!;
        var folder = a.Value("out") ?? StudySummary.DefaultFolder(studyId);
        await StudyFolderWriter.Write(store, results, folder);
        StudySummary.Print(results, folder, a.Flag("json"));
        return StudySummary.ExitCode(final.Status, cancel.IsCancellationRequested || cancelledHere);
    }
}
