using System.Diagnostics;
using System.Text.Json;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Study.Tests.Runtime;

/// <summary>
/// The chaos suite (issue 10), on real processes and a real PostgreSQL: studies run while silos are killed with
/// SIGKILL at random and replaced, PostgreSQL is restarted mid-study, a watching client is killed and another
/// attaches, and at the end every silo is killed and new ones started. Every study completes, with every trial
/// completed once and every epoch recorded once. ./test runs a short version; `scripts/chaos` the long one
/// (STUDY_CHAOS_KILLS, STUDY_CHAOS_STUDIES, STUDY_CHAOS_SILOS, STUDY_CHAOS_SEED); figures in docs/RELIABILITY.md.
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
[Collection(PostgresCollection.Name)]
public sealed class ChaosTests(PostgresServer postgres, ITestOutputHelper output) : IDisposable
{
    const int Epochs = 3;
    readonly string dir = Directory.CreateTempSubdirectory("study-chaos-").FullName;
    readonly List<ChildProcess> processes = [];

    public void Dispose()
    {
        foreach (var p in processes) p.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;

    ChildProcess StartSilo(string connection, string name)
    {
        var silo = ClusterSilo.Start(connection, dir, name).Process;
        processes.Add(silo);
        // Issue 23: a silo of a cluster without TLS says so at start.
        Assert.Contains("WARNING: this cluster is open", silo.Stderr);
        Assert.Contains("without TLS", silo.Stderr);
        Assert.DoesNotContain("without --cluster-secret", silo.Stderr); // it has one
        return silo;
    }

    string Submit(string connection, int index)
    {
        var taus = new[] { "0.1,0.3,1.0", "0.07,0.5,0.7", "0.2,0.4,2.0" }[index % 3];
        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "submit", "--cluster", connection, "--dataset", "synthetic", "--taus", taus,
            "--epochs", $"{Epochs}", "--subset", "3072", "--eval-subset", "300", "--batch-size", "128", "--max-restarts", "100", "--seed", $"{index + 1}");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        return submit.Stdout.Trim().Split('\n')[^1];
    }

    /// <summary>A read of the store on its own connection: the database restarts under the test too.</summary>
    static async Task<T> Read<T>(string connection, Func<Study.Grains.Storage.IStudyStore, Task<T>> read)
    {
        await using var store = new Study.Grains.Storage.PostgresStudyStore(Npgsql.NpgsqlDataSource.Create(connection + ";Pooling=false"));
        return await read(store);
    }

    [Fact]
    public async Task StudiesCompleteThroughKilledSilosARestartedDatabaseAndAKilledWatcher()
    {
        int kills = Setting("STUDY_CHAOS_KILLS", 2), studies = Setting("STUDY_CHAOS_STUDIES", 1), siloCount = Setting("STUDY_CHAOS_SILOS", 2);
        var random = new Random(Setting("STUDY_CHAOS_SEED", 1));
        var clock = Stopwatch.StartNew();
        var connection = postgres.CreateDatabase();
        int started = 0;
        var silos = Enumerable.Range(0, siloCount).Select(_ => StartSilo(connection, $"silo-{started++}")).ToList();
        var ids = Enumerable.Range(0, studies).Select(i => Submit(connection, i)).ToList();

        // A watching client, killed while it watches (it is reattached at the end).
        var watcher = new ChildProcess(ChildProcess.StudyDll, ["watch", ids[0], "--cluster", connection], dir);
        processes.Add(watcher);
        await Task.Delay(3000);
        watcher.KillHard();

        bool databaseRestarted = false;
        for (int kill = 0; kill < kills; kill++)
        {
            await Task.Delay(random.Next(2000, 6000));
            // Keep the study busy for the next kill: when every study has ended, submit another.
            if ((await Read(connection, s => s.ListStudies())).All(s => s.Status is "completed" or "failed" or "cancelled")) ids.Add(Submit(connection, ids.Count));
            var victim = silos[random.Next(silos.Count)];
            victim.KillHard();
            silos.Remove(victim);
            silos.Add(StartSilo(connection, $"silo-{started++}"));
            if (!databaseRestarted && kill >= kills / 2)
            {
                postgres.Restart(TimeSpan.FromSeconds(3));
                databaseRestarted = true;
            }
        }
        // Every silo killed at once, then a new cluster: the studies resume (their reminders are in PostgreSQL).
        foreach (var silo in silos) silo.KillHard();
        silos.Clear();
        await Task.Delay(2000);
        for (int i = 0; i < siloCount; i++) silos.Add(StartSilo(connection, $"silo-{started++}"));

        int restarts = 0, attempts = 0, trialCount = 0;
        foreach (var id in ids)
        {
            var watched = StudyProcess.Run(TimeSpan.FromMinutes(8), dir, "watch", id, "--cluster", connection, "--json");
            Assert.True(watched.ExitCode == 0, $"{id}: exit {watched.ExitCode}: {watched.Stderr}");
            using var results = JsonDocument.Parse(watched.Stdout);
            var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
            Assert.Equal(3, trials.Count);
            Assert.All(trials, t => Assert.Equal(("completed", Epochs), (t.GetProperty("status").GetString(), t.GetProperty("epochs_completed").GetInt32())));
            attempts += trials.Sum(t => t.GetProperty("attempts").GetInt32());
            restarts += (await Read(connection, s => s.GetTrials(id))).Sum(t => t.Restarts);
            trialCount += trials.Count;
            // Every epoch of every trial recorded exactly once: no result lost, none counted twice.
            var epochs = (await Read(connection, s => s.GetEpochs(id))).GroupBy(e => e.TrialId).ToDictionary(g => g.Key, g => g.Select(e => e.Epoch).Order().ToArray());
            Assert.Equal(trials.Select(t => t.GetProperty("trial_id").GetString()!).Order(), epochs.Keys.Order());
            Assert.All(epochs.Values, e => Assert.Equal(Enumerable.Range(1, Epochs), e));
        }
        output.WriteLine($"chaos: {ids.Count} studies, {trialCount} trials, {kills} silo kills + 1 of every silo, PostgreSQL restarted " +
            $"{(databaseRestarted ? 1 : 0)} time, a watcher killed; {restarts} trial restarts, {attempts} attempts in all; all completed in {clock.Elapsed.TotalSeconds:0} s");
        // Attempts are starts: a restart, or a start on a silo that had died a moment before. They must stay few.
        Assert.True(attempts <= trialCount + 10 * (kills + siloCount), $"{attempts} attempts for {trialCount} trials and {kills + siloCount} kills");
    }
}
