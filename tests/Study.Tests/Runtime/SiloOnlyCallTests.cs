using Orleans.Runtime;
using Study.Grains;
using Study.Grains.Security;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Slot reports, reservations, trial starts and stops, epoch and outcome reports are for silos alone (issue 10,
/// defect 10: any client could send false heartbeats). A client is refused each of them and changes nothing; a
/// silo that does not hold the cluster's secret is not heard; a client still reads and steers its studies.
/// </summary>
public sealed class SiloOnlyCallTests
{
    static async Task<TrialRecordView> RunningTrial(TestRuntimeCluster cluster, string studyId)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var running = (await cluster.Store.GetTrials(studyId)).FirstOrDefault(t => t.Status == TrialStatus.Running);
            if (running is not null && (await cluster.Grains.GetGrain<IStudyGrain>(studyId).GetSnapshot()).Running == 1)
                return new TrialRecordView(running.TrialId, running.Attempt, running.Tau ?? 1, running.Seed);
            Assert.True(DateTime.UtcNow < until, "no trial started");
            await Task.Delay(100);
        }
    }

    sealed record TrialRecordView(string TrialId, int Attempt, double Tau, long Seed);

    [Fact]
    public async Task AClientIsRefusedEverySiloOnlyCallAndChangesNothing()
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var spec = new StudySpec { StudyId = "guarded", Dataset = "synthetic", Taus = [0.5, 1.0], Epochs = 100, SyntheticEpochMs = 100 };
        var study = cluster.Grains.GetGrain<IStudyGrain>("guarded");
        await study.Start(spec);
        var trial = await RunningTrial(cluster, "guarded");
        var key = $"guarded/{trial.TrialId}";
        var scheduler = cluster.Grains.GetGrain<ISlotSchedulerGrain>(0);
        var fakeSilo = SiloAddress.New(System.Net.IPAddress.Loopback, 40_002, 1);
        var outcome = new TrialOutcomeReport("guarded", trial.TrialId, trial.Attempt, "fake", TrialStatus.Completed, 100, 1, null,
            new MetricsRecord(KnnAccuracy: 0.99), null);
        var epoch = new EpochReport("guarded", trial.TrialId, trial.Attempt, 99, 0.1, 0.9, 0.1, 1, 0.99, 0.1, 1, 1000, null);
        var assignment = new TrialAssignment(new TrialSpec("guarded", "t9", 9, 0.5, 1), spec, trial.Attempt + 1, null);

        (string Call, Func<Task> Send)[] calls =
        [
            ("ISlotSchedulerGrain.Heartbeat", () => scheduler.Heartbeat(new SiloSlotReport(fakeSilo, "fake", 8, [], Leaving: false))),
            ("ISlotSchedulerGrain.Reserve", () => scheduler.Reserve(["guarded/t9"])),
            ("ISlotSchedulerGrain.Release", () => scheduler.Release([key])),
            ("IStudyGrain.ReportOutcome", () => study.ReportOutcome(outcome)),
            ("IStudyGrain.ReportEpoch", () => study.ReportEpoch(epoch)),
            ("ITrialGrain.Cancel", () => cluster.Grains.GetGrain<ITrialGrain>(key).Cancel(trial.Attempt)),
            ("ITrialGrain.Start", () => cluster.Grains.GetGrain<ITrialGrain>("guarded/t9").Start(assignment)),
        ];
        var epochsBefore = (await cluster.Store.GetEpochs("guarded")).Count(e => e.Epoch == 99);
        foreach (var (call, send) in calls)
        {
            var refused = await Assert.ThrowsAsync<UnauthorizedAccessException>(send);
            Assert.Equal($"{call}: only silos may call it, and a client did", refused.Message);
        }

        Assert.Equal(0, await scheduler.FreeSlots()); // no fake silo's 8 slots, and the running trial's slot not released
        Assert.Single(await scheduler.SiloSlots());
        var snapshot = await study.GetSnapshot();
        Assert.Equal((1, 0), (snapshot.Running, snapshot.Done));
        var stored = (await cluster.Store.GetTrials("guarded")).Single(t => t.TrialId == trial.TrialId);
        Assert.Equal((TrialStatus.Running, trial.Attempt), (stored.Status, stored.Attempt));
        Assert.Equal(epochsBefore, (await cluster.Store.GetEpochs("guarded")).Count(e => e.Epoch == 99));
        Assert.DoesNotContain(await cluster.Store.GetTrials("guarded"), t => t.TrialId == "t9");

        await study.Cancel(); // what a client may do, it still can
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await study.GetSnapshot()).Status != StudyStatuses.Cancelled && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.Equal(StudyStatuses.Cancelled, (await study.GetSnapshot()).Status);
    }

    [Fact]
    public async Task ASiloWithoutTheClustersSecretIsNotHeard()
    {
        var dir = Directory.CreateTempSubdirectory("study-secret-").FullName;
        try
        {
            SiloCredential Secret(string name, string text)
            {
                File.WriteAllText(Path.Combine(dir, name), text);
                return SiloCredential.Load(Path.Combine(dir, name), "--cluster-secret");
            }
            var ours = Secret("ours", "the cluster's secret, 32 bytes..");
            var theirs = Secret("theirs", "a secret of someone else, 32 b..");
            await using var cluster = await TestRuntimeCluster.Start([1, 1], credentials: [ours, theirs]);
            // Both silos report every second to the one scheduler; only the silo that shares its secret is heard.
            await Task.Delay(TimeSpan.FromSeconds(4));
            var heard = await cluster.Grains.GetGrain<ISlotSchedulerGrain>(0).SiloSlots();
            Assert.Single(heard);

            await using var agreeing = await TestRuntimeCluster.Start([1, 1], credentials: [ours, ours]);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((await agreeing.Grains.GetGrain<ISlotSchedulerGrain>(0).SiloSlots()).Count < 2 && DateTime.UtcNow < until) await Task.Delay(100);
            Assert.Equal(2, (await agreeing.Grains.GetGrain<ISlotSchedulerGrain>(0).SiloSlots()).Count);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AProofHoldsForItsOwnCallSecretAndMinutesOnly()
    {
        var dir = Directory.CreateTempSubdirectory("study-proof-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a"), "0123456789abcdef0123456789abcdef\n");
            File.WriteAllText(Path.Combine(dir, "b"), "0123456789abcdef0123456789abcdeX");
            File.WriteAllText(Path.Combine(dir, "a-again"), "  0123456789abcdef0123456789abcdef  ");
            var a = SiloCredential.Load(Path.Combine(dir, "a"), "--cluster-secret");
            var b = SiloCredential.Load(Path.Combine(dir, "b"), "--cluster-secret");
            var again = SiloCredential.Load(Path.Combine(dir, "a-again"), "--cluster-secret");
            var now = DateTimeOffset.UtcNow;
            var proof = a.Prove("ISlotSchedulerGrain.Heartbeat slot/0 DIGEST1", now);
            Assert.False(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0 DIGEST2", proof, now), "other arguments (issue 23)");
            Assert.True(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0 DIGEST1", proof, now));
            Assert.False(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0 DIGEST1", proof, now), "the same proof again (issue 23)");
            Assert.NotEqual(proof, a.Prove("ISlotSchedulerGrain.Heartbeat slot/0 DIGEST1", now)); // each proof its own nonce
            proof = a.Prove("ISlotSchedulerGrain.Heartbeat slot/0", now);

            Assert.True(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0", proof, now + TimeSpan.FromMinutes(4)));
            Assert.True(again.Verify("ISlotSchedulerGrain.Heartbeat slot/0", proof, now), "blanks around a secret are not part of it");
            Assert.False(b.Verify("ISlotSchedulerGrain.Heartbeat slot/0", proof, now), "another secret");
            Assert.False(a.Verify("ISlotSchedulerGrain.Release slot/0", proof, now), "another method");
            Assert.False(a.Verify("ISlotSchedulerGrain.Heartbeat slot/1", proof, now), "another grain");
            Assert.False(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0", proof, now + TimeSpan.FromMinutes(6)), "a replay after the window");
            Assert.False(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0", proof, now - TimeSpan.FromMinutes(6)), "a proof from the future");
            var fresh = a.Prove("ISlotSchedulerGrain.Heartbeat slot/0", now);
            foreach (var garbage in new[] { null, "", "123", "x:y", $"{now.ToUnixTimeSeconds()}:AAAA", fresh + "x", fresh.Split(':')[0] + ":" + fresh.Split(':')[2] })
                Assert.False(a.Verify("ISlotSchedulerGrain.Heartbeat slot/0", garbage, now), $"garbage '{garbage}'");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
