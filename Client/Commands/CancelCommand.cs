using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;
using Study.Grains.Hosting;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>
/// `study cancel ID`: on a cluster, the coordinator stops the running trials at their next step. An embedded study
/// is asked through the store (the process driving it sees the request within a second); one that no process
/// drives any more is marked cancelled in the store directly.
/// </summary>
public static class CancelCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("cancel", "cancel ID [options]",
        "Cancels a study: running trials stop at their next step and are marked cancelled.",
        ["./study cancel ID", "./study cancel ID --cluster CONN"], StudyStores.Options).WithStudyIds(several: false, Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        var id = CommonOptions.StudyId(parse);
        await using var store = await StudyStores.Open(parse, mustExist: true);
        var study = await store.GetStudy(id) ?? throw new UsageException($"no study '{id}' in the store");
        if (StudyStatuses.IsFinal(study.Status))
        {
            Console.WriteLine($"study {id} is {study.Status} already");
            return ExitCodes.Completed;
        }
        if (StudyStores.ClusterOf(parse) is { } connection)
        {
            await using var cluster = await ClusterConnection.Connect(connection);
            var snapshot = await cluster.Grains.GetGrain<IStudyGrain>(id).Cancel();
            Console.WriteLine($"study {id}: cancelling ({snapshot.Running} running trial(s) stop at their next step)");
            return ExitCodes.Completed;
        }
        await store.RequestCancel(id);
        var driven = study.LeaseOwner is { } owner && study.LeaseExpiresMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() && !StudyLease.IsGone(owner);
        if (driven)
        {
            Console.WriteLine($"study {id}: cancel requested; the process driving it ({study.LeaseOwner}) stops it");
            return ExitCodes.Completed;
        }
        await using var lease = await StudyLease.Acquire(store, id);
        foreach (var trial in await store.GetTrials(id))
            if (!trial.Status.IsFinal())
                await store.UpdateTrial(trial with { Status = TrialStatus.Cancelled }, trial.Attempt);
        await store.SetStudyStatus(id, StudyStatuses.Cancelled, study.BestJson, null);
        Console.WriteLine($"study {id}: cancelled");
        return ExitCodes.Completed;
    }
}
