using Orleans.Runtime;
using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>Issue 10, defect 9: a late Finished(N) of an earlier attempt used to end the keep-alive of attempt N+1,
/// so the running attempt's grain could be collected under it.</summary>
public sealed class TrialKeepAliveTests
{
    static async Task<bool> IsActive(IGrainFactory grains, string key)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Any(s => s.GrainId.Key.ToString() == key);
    }

    [Fact]
    public async Task ALateFinishedOfAnEarlierAttemptKeepsTheRunningAttemptAlive()
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var spec = new StudySpec { StudyId = "keep", Dataset = "synthetic", Taus = [], Epochs = 50, SyntheticEpochMs = 200 };
        var trial = new TrialSpec("keep", "t000-tau0.5-s1", 0, 0.5, 1);
        var grain = cluster.SiloGrains().GetGrain<ITrialGrain>(trial.Key); // as a coordinator calls it
        Assert.True(await grain.Start(new TrialAssignment(trial, spec, 2, null)));
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);

        await grain.Finished(1); // attempt 1's late word
        await management.ForceActivationCollection(TimeSpan.Zero);
        Assert.True(await IsActive(cluster.Grains, trial.Key), "the running attempt's grain was collected after an earlier attempt's Finished");

        await grain.Cancel(2);
        await grain.Finished(2); // its own attempt ended: now it may go
        // The runner sends Finished(2) too, one-way, once it has delivered the outcome; arriving after a collection it
        // activates the grain anew (with no attempt: nothing keeps it). So collected means: gone on two checks in a row.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        int goneInARow = 0;
        while (goneInARow < 2 && DateTime.UtcNow < until)
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            await Task.Delay(500);
            goneInARow = await IsActive(cluster.Grains, trial.Key) ? 0 : goneInARow + 1;
        }
        Assert.True(goneInARow >= 2, "the ended attempt's grain was kept alive");
    }
}
