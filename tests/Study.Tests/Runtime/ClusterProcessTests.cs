using System.Text.Json;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// A real cluster: PostgreSQL (Debian's), two `./silo` processes, `study submit`, and one silo killed with SIGKILL
/// (or stopped with SIGTERM) while both train. The study completes with every trial once, each with all its epochs.
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
[Collection(PostgresCollection.Name)]
public sealed class ClusterProcessTests(PostgresServer postgres) : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-cluster-").FullName;
    readonly Dictionary<int, ChildProcess> silos = []; // by silo port

    public void Dispose()
    {
        foreach (var silo in silos.Values) silo.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    ChildProcess StartSilo(string connection, string name, string isolation = "thread")
    {
        var silo = ClusterSilo.Start(connection, dir, name, ["--slot-isolation", isolation]);
        silos[silo.SiloPort] = silo.Process;
        return silo.Process;
    }

    /// <summary>With a worker process per slot: the killed silo's worker ends with it (its input closes), no orphan trains on.</summary>
    [Fact]
    public void AStudySurvivesASiloKilledWhileBothTrain()
    {
        var connection = postgres.CreateDatabase();
        StartSilo(connection, "silo-a", "process");
        StartSilo(connection, "silo-b", "process");

        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "submit", "--cluster", connection, "--dataset", "synthetic",
            "--taus", "0.1,0.3,0.6,1.0", "--epochs", "3", "--subset", "3072", "--eval-subset", "300", "--batch-size", "128");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = submit.Stdout.Trim().Split('\n')[^1];

        // Wait until both silos train, one of them past its first epoch, then kill that one.
        var victimAddress = ClusterStudy.SiloOfATrainedTrialOnceBothTrain(dir, id, connection);
        // A silo address reads "127.0.0.1:PORT@GENERATION".
        var victim = silos[int.Parse(victimAddress.Split(':')[1].Split('@')[0])];
        var workers = SlotWorkers.Of(victim.Id);
        Assert.Single(workers);
        victim.KillHard();
        var gone = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (workers.Any(SlotWorkers.Exists) && DateTime.UtcNow < gone) Thread.Sleep(100);
        Assert.False(workers.Any(SlotWorkers.Exists), "the killed silo's worker process is still running");

        var trials = ClusterStudy.Watch(dir, id, connection, TimeSpan.FromMinutes(5));
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(("completed", 3), (t.Trial.GetProperty("status").GetString(), t.Trial.GetProperty("epochs_completed").GetInt32())));
        Assert.Contains(trials, t => t.Trial.GetProperty("attempts").GetInt32() > 1);
        Assert.DoesNotContain(trials, t => t.Trial.GetProperty("silo").GetString() == victimAddress);
        Assert.All(trials, t => Assert.Equal([1, 2, 3], t.Epochs));
    }

    [Theory]
    [InlineData("thread")]
    [InlineData("process")]
    public async Task OnSigtermATrialCheckpointsAtItsNextStepAndMovesToTheOtherSilo(string isolation)
    {
        var connection = postgres.CreateDatabase();
        StartSilo(connection, "silo-a", isolation);
        StartSilo(connection, "silo-b", isolation);
        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "submit", "--cluster", connection, "--dataset", "synthetic",
            "--taus", "0.1,1.0", "--epochs", "2", "--subset", "8000", "--eval-subset", "300", "--batch-size", "128");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = submit.Stdout.Trim().Split('\n')[^1];

        await using var store = new Study.Grains.Storage.PostgresStudyStore(Npgsql.NpgsqlDataSource.Create(connection));
        // Wait until a trial is inside its first epoch on each silo.
        Study.Grains.Storage.TrialRecord? victim = null;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (victim is null)
        {
            var trials = await store.GetTrials(id);
            var progress = (await store.GetProgress(id)).ToDictionary(p => p.TrialId);
            var training = trials.Where(t => t.Status == TrialStatus.Running && progress.TryGetValue(t.TrialId, out var p) && p.Attempt == t.Attempt
                                             && p.Epoch == 1 && p.Step >= 10 && p.Step < p.StepsPerEpoch - 15).ToList();
            if (training.Select(t => t.Silo).Distinct().Count() == 2) victim = training[0];
            Assert.True(DateTime.UtcNow < until, "the two silos never trained at once");
            await Task.Delay(100);
        }
        var silo = silos[int.Parse(victim.Silo!.Split(':')[1].Split('@')[0])];
        var workers = SlotWorkers.Of(silo.Id);
        Assert.Equal(isolation == "process" ? 1 : 0, workers.Count);
        silo.Signal(15);

        // The trial is queued again with a mid-epoch checkpoint (…-e1-sSTEP.ckpt), before its first epoch could have ended.
        string? resumeFrom = null;
        until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (resumeFrom is null && DateTime.UtcNow < until)
        {
            // Queued again with its checkpoint, or already restarted on the other silo (which may still be busy with
            // its own trial for a while on a loaded machine: the restart itself is checked below).
            var moved = (await store.GetTrials(id)).Single(t => t.TrialId == victim.TrialId);
            if (moved.Attempt > victim.Attempt || moved.Status == TrialStatus.Queued && moved.CheckpointPath is not null) resumeFrom = moved.CheckpointPath ?? "";
            else await Task.Delay(50);
        }
        Assert.Matches(@"a1-e1-s\d+\.ckpt$", resumeFrom ?? "(the trial was never moved)");
        Assert.True(silo.WaitForExit(TimeSpan.FromSeconds(40)), "the silo did not stop after SIGTERM");
        Assert.Equal(0, silo.ExitCode);
        Assert.False(workers.Any(SlotWorkers.Exists), "the stopped silo's worker process is still running");

        var watched = StudyProcess.Run(TimeSpan.FromMinutes(5), dir, "watch", id, "--cluster", connection, "--json", "--out", Path.Combine(dir, "out"));
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        using var results = JsonDocument.Parse(watched.Stdout);
        var ended = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.All(ended, t => Assert.Equal(("completed", 2), (t.GetProperty("status").GetString(), t.GetProperty("epochs_completed").GetInt32())));
        var movedTrial = ended.Single(t => t.GetProperty("trial_id").GetString() == victim.TrialId);
        Assert.Equal(2, movedTrial.GetProperty("attempts").GetInt32());
        Assert.NotEqual(victim.Silo, movedTrial.GetProperty("silo").GetString());
    }

}
