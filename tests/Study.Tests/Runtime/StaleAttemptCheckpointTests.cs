using Study.Grains;
using Study.Grains.Running;
using Study.Grains.Storage;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: an attempt that ends after the coordinator has moved its trial on (a silo cut off for a while) removed
/// its checkpoints, the one the trial's next attempt was to resume from among them, and that attempt trained from
/// epoch 0 without a word. Now a silo removes an attempt's checkpoints only once the coordinator has taken its
/// outcome as the trial's current one.
/// </summary>
public sealed class StaleAttemptCheckpointTests
{
    [Fact]
    public async Task AStaleAttemptKeepsTheCheckpointItsSuccessorResumesFrom()
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var spec = new StudySpec
        {
            StudyId = "stale", Dataset = "synthetic", Search = SearchKind.Grid, Taus = [0.1], Epochs = 2, SyntheticEpochMs = 300, Seed = 1,
        };
        var trial = new TrialSpec("stale", "t000-tau0.1-s1", 0, 0.1, 1);
        var folder = CheckpointFiles.Folder(cluster.Artifacts, trial.StudyId, trial.TrialId);
        var firstEpoch = CheckpointFiles.PathFor(folder, attempt: 1, epoch: 1, step: 0);
        // The store as the coordinator left it: attempt 1 wrote epoch 1's checkpoint and was thought lost; attempt 2,
        // to resume from it, is recorded on this silo, which does not run it.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await cluster.Store.CreateStudy(new StudyRecord("stale", StudyStatuses.Running, now, now, StudySpecJson.Write(spec)),
            [new TrialRecord("stale", trial.TrialId, 0, 0.1, 1, TrialStatus.Queued)]);
        await cluster.Store.UpdateTrial(new TrialRecord("stale", trial.TrialId, 0, 0.1, 1, TrialStatus.Running, Attempt: 2, Restarts: 1,
            Silo: cluster.Cluster.Primary!.SiloAddress.ToParsableString(), EpochsCompleted: 1, CheckpointPath: firstEpoch, StartedMs: now), 0);

        // Attempt 1, still alive on its silo, writes epoch 1's checkpoint again and hears that it is stale.
        var assignment = new TrialAssignment(trial, spec with { Taus = [] }, 1, null);
        Assert.True(await cluster.SiloGrains().GetGrain<ITrialGrain>(trial.Key).Start(assignment));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        bool written = false;
        while (!(written |= File.Exists(firstEpoch)) || cluster.Concurrent.GetValueOrDefault("Primary") != 0)
        {
            Assert.True(DateTime.UtcNow < until, written ? "attempt 1 did not stop" : "attempt 1 did not write its checkpoint");
            await Task.Delay(20);
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // its outcome delivered, and its clean-up done if it were to do one
        Assert.True(File.Exists(firstEpoch), "the stale attempt removed the checkpoint its successor resumes from");

        // Once the coordinator sees that attempt 2 is not running, the next attempt resumes from epoch 1.
        var study = cluster.Grains.GetGrain<IStudyGrain>("stale");
        var snapshot = await TestRuntimeCluster.UntilEnded(study, TimeSpan.FromSeconds(90));
        Assert.Equal(StudyStatuses.Completed, snapshot.Status);
        var stored = Assert.Single(await cluster.Store.GetTrials("stale"));
        Assert.Equal((TrialStatus.Completed, 3), (stored.Status, stored.Attempt));
        var epochs = await cluster.Store.GetEpochs("stale");
        Assert.Equal([(2, 3)], epochs.Select(e => (e.Epoch, e.Attempt)));
    }
}
