using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>`study watch ID`: progress until the study ends, then its output folder.</summary>
public static class WatchCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("watch", "watch ID [options]",
        "Follows a study until it ends (live view on a terminal), then writes its output folder. Ctrl-C stops watching; the study goes on.",
        ["./study watch study-20261129-101500-ab12", "./study watch ID --cluster CONN --json"],
        [CommonOptions.Out, CommonOptions.Json, .. StudyStores.Options])
        .WithStudyIds(several: false, (parse, cancel) => Follow(parse, CommonOptions.StudyId(parse), cancelOnInterrupt: false, cancel));

    /// <param name="cancelOnInterrupt">Ctrl-C cancels the study (run), or only stops watching (watch)</param>
    public static async Task<int> Follow(ParseResult parse, string studyId, bool cancelOnInterrupt, CancellationToken cancel)
    {
        await using var store = await StudyStores.Open(parse, mustExist: true);
        if (await store.GetStudy(studyId) is null) throw new UsageException($"no study '{studyId}' in the store");
        Func<Task>? onCancel = null;
        bool cancelledHere = false;
        if (cancelOnInterrupt && StudyStores.ClusterOf(parse) is { } connection)
            onCancel = async () =>
            {
                cancelledHere = true;
                await using var cluster = await ClusterConnection.Connect(connection);
                await cluster.Grains.GetGrain<IStudyGrain>(studyId).Cancel();
            };
        var progress = StudyProgress.For(store, studyId, parse.GetValue(CommonOptions.Json), "stop watching; the study goes on in the cluster");
        var final = await progress.Follow(onCancel, cancel, Termination.Requested);
        if (final is null)
        {
            Console.Error.WriteLine($"study {studyId}: no longer watched; it goes on. Follow it again with: ./study watch {studyId}");
            return ExitCodes.Cancelled;
        }
        StudyLog.Ended(studyId, final.Status);
        var results = (await StudyResults.Load(store, studyId))!;
        var folder = CommonOptions.OutFolder(parse, studyId);
        await StudyFolderWriter.Write(store, results, folder);
        StudySummary.Print(results, folder, parse.GetValue(CommonOptions.Json));
        return StudySummary.ExitCode(final.Status, cancel.IsCancellationRequested || cancelledHere);
    }
}
