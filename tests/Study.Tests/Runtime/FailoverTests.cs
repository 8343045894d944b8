using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>A silo killed mid-study: its trials resume elsewhere from their last checkpoint; nothing is lost or counted twice.</summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task AKilledSiloLosesNoTrialAndCountsNoneTwice()
    {
        await using var cluster = await TestRuntimeCluster.Start([1, 2, 2]);
        var study = cluster.Grains.GetGrain<IStudyGrain>("failover");
        await study.Start(new StudySpec
        {
            StudyId = "failover", Dataset = "synthetic", Search = SearchKind.Random, Trials = 16, Epochs = 4, SyntheticEpochMs = 150, Seed = 5,
        });
        var victim = cluster.Cluster.SecondarySilos[0];
        var victimAddress = victim.SiloAddress.ToParsableString();
        // Kill it while it trains (its trials are past their first epoch).
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var running = (await cluster.Store.GetTrials("failover")).Where(t => t.Status == TrialStatus.Running && t.Silo == victimAddress);
            if (running.Any(t => t.EpochsCompleted >= 1)) break;
            Assert.True(DateTime.UtcNow < until, "the victim never trained");
            await Task.Delay(20);
        }
        await cluster.Cluster.KillSiloAsync(victim);

        var end = await Poll(study, TimeSpan.FromMinutes(3));
        Assert.Equal(StudyStatuses.Completed, end.Status);
        var trials = await cluster.Store.GetTrials("failover");
        Assert.Equal(16, trials.Count);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Completed, 4), (t.Status, t.EpochsCompleted)));
        Assert.True(trials.Any(t => t.Attempt > 1 && t.Restarts == 1), $"victim {victimAddress}: " + string.Join("; ", trials.Select(t => $"{t.TrialId} a{t.Attempt} r{t.Restarts} {t.Silo}"))); // moved off the dead silo
        Assert.DoesNotContain(trials, t => t.Silo == victimAddress);  // every result came from a live silo
        var epochs = await cluster.Store.GetEpochs("failover");
        Assert.Equal(16 * 4, epochs.Count);
        foreach (var trial in trials)
            Assert.Equal([1, 2, 3, 4], epochs.Where(e => e.TrialId == trial.TrialId).Select(e => e.Epoch).Order());
    }

    static async Task<StudySnapshot> Poll(IStudyGrain study, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            StudySnapshot snapshot;
            try { snapshot = await study.GetSnapshot(); }
            catch (Exception) when (DateTime.UtcNow < until) { await Task.Delay(200); continue; } // its silo just died
            if (StudyStatuses.IsFinal(snapshot.Status)) return snapshot;
            if (DateTime.UtcNow > until) throw new TimeoutException(snapshot.ToString());
            await Task.Delay(100);
        }
    }
}
