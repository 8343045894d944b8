using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>Trial grains on an in-process cluster of three silos with 2, 1 and 0 slots.</summary>
public sealed class SlotPlacementTests
{
    static StudySpec SyntheticStudy(int trials, int epochs, int epochMs, string id) => new()
    {
        StudyId = id, Dataset = "synthetic", Search = SearchKind.Random, Trials = trials, TauMin = 0.05, TauMax = 2, Epochs = epochs,
        SyntheticEpochMs = epochMs, Seed = 3,
    };

    static async Task<StudySnapshot> WaitForEnd(IStudyGrain study, TimeSpan timeout, Action<StudySnapshot>? onPoll = null)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = await study.GetSnapshot();
            onPoll?.Invoke(snapshot);
            if (StudyStatuses.IsFinal(snapshot.Status)) return snapshot;
            if (DateTime.UtcNow > until) throw new TimeoutException($"study still {snapshot.Status}: {snapshot}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task NoSiloRunsMoreTrialsThanItHasSlotsAndTrialsQueue()
    {
        await using var cluster = await TestRuntimeCluster.Start([2, 1, 0]);
        var study = cluster.Grains.GetGrain<IStudyGrain>("placement");
        await study.Start(SyntheticStudy(trials: 12, epochs: 3, epochMs: 100, "placement"));
        bool sawQueueWhileFull = false;
        var end = await WaitForEnd(study, TimeSpan.FromMinutes(2), s => sawQueueWhileFull |= s.Running == 3 && s.Queued > 0);

        Assert.Equal(StudyStatuses.Completed, end.Status);
        Assert.Equal(12, end.Done);
        Assert.True(sawQueueWhileFull, "trials never queued while all three slots were busy");
        Assert.Equal(2, cluster.MaxConcurrent.GetValueOrDefault("Primary"));
        Assert.Equal(1, cluster.MaxConcurrent.GetValueOrDefault("Secondary_1"));
        Assert.Equal(0, cluster.MaxConcurrent.GetValueOrDefault("Secondary_2"));
        var trials = await cluster.Store.GetTrials("placement");
        Assert.All(trials, t => Assert.Equal((TrialStatus.Completed, 3, 1), (t.Status, t.EpochsCompleted, t.Attempt)));
        Assert.Equal(12 * 3, (await cluster.Store.GetEpochs("placement")).Count);
    }
}
