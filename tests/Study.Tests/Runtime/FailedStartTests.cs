using System.Collections.Concurrent;
using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: a trial whose start keeps failing was queued again every second for ever, and its failures did not count
/// toward --max-restarts. Now each failed start is a restart, the next try waits longer, and past --max-restarts the
/// trial fails with the reason while the rest of the study goes on and ends.
/// </summary>
public sealed class FailedStartTests
{
    [Fact]
    public async Task AStartThatKeepsFailingEndsTheTrialAfterMaxRestartsWithWaitsThatGrow()
    {
        await using var cluster = await TestRuntimeCluster.Start([2]);
        var starts = new ConcurrentQueue<DateTime>();
        cluster.BeforeCall = context =>
        {
            if (context.InterfaceMethod?.Name != nameof(ITrialGrain.Start) || !context.TargetId.ToString().EndsWith("t000-tau0.1-s1")) return;
            starts.Enqueue(DateTime.UtcNow);
            throw new InvalidOperationException("this silo cannot start it (injected)");
        };
        var study = cluster.Grains.GetGrain<IStudyGrain>("failing-start");
        await study.Start(new StudySpec
        {
            StudyId = "failing-start", Dataset = "synthetic", Search = SearchKind.Grid, Taus = [0.1, 0.5], Epochs = 1, SyntheticEpochMs = 50,
            Seed = 1, MaxRestarts = 2,
        });
        var snapshot = await TestRuntimeCluster.UntilEnded(study, TimeSpan.FromSeconds(60), () => $"{starts.Count} failed starts");
        Assert.Equal(StudyStatuses.Completed, snapshot.Status);
        var failed = (await cluster.Store.GetTrials("failing-start")).Single(t => t.Index == 0);
        Assert.Equal((TrialStatus.Failed, 3), (failed.Status, failed.Restarts));
        Assert.Contains("its start failed", failed.Error);
        Assert.Contains("more than --max-restarts 2", failed.Error);
        // Three tries (the first and two restarts), at least 1 s ± 25% and then 2 s ± 25% apart (a busy machine only
        // makes the waits longer).
        var times = starts.ToArray();
        Assert.Equal(3, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(0.74) && times[2] - times[1] >= TimeSpan.FromSeconds(1.49),
            string.Join(", ", times.Select(t => t.ToString("HH:mm:ss.fff"))));
    }
}
