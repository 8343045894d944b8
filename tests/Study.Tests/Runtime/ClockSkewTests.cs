using Npgsql;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: one silo's clock 30 s ahead, the other's 30 s behind (libfaketime; the monotonic clock, which timers and
/// timeouts use, is left alone), on a PostgreSQL cluster. Failure detection (probes), slot reports and the silo-call
/// proofs (±5 minutes, docs/RELIABILITY.md) do not need the two to agree: a study of two trials, one on each
/// silo, completes with every trial once, all its epochs once, and no attempt restarted because of the skew.
/// `scripts/chaos --clock` runs it with the clocks further apart (STUDY_CLOCK_SKEW_SECONDS each way, 30 by default).
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
[Collection(PostgresCollection.Name)]
public sealed class ClockSkewTests(PostgresServer postgres) : IDisposable
{
    const string FakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    readonly string dir = Directory.CreateTempSubdirectory("study-skew-").FullName;
    readonly List<ChildProcess> silos = [];

    public void Dispose()
    {
        foreach (var silo in silos) silo.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    static Dictionary<string, string> Skewed(string offset) => new()
    {
        ["LD_PRELOAD"] = FakeTime, ["FAKETIME"] = offset, ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
    };

    static int Skew => int.TryParse(Environment.GetEnvironmentVariable("STUDY_CLOCK_SKEW_SECONDS"), out var seconds) ? seconds : 30;

    [Fact]
    public async Task AStudyCompletesOnSilosWhoseClocksAreAMinuteApart()
    {
        Assert.True(File.Exists(FakeTime), $"{FakeTime} is missing (Debian's libfaketime; ./test installs it)");
        var connection = postgres.CreateDatabase();
        // Both start at once (each waits for its /readyz).
        var started = await Task.WhenAll(Task.Run(() => ClusterSilo.Start(connection, dir, "ahead", environment: Skewed($"+{Skew}s")).Process),
            Task.Run(() => ClusterSilo.Start(connection, dir, "behind", environment: Skewed($"-{Skew}s")).Process));
        silos.AddRange(started);

        // The skew is real: each silo writes its own clock into the membership table.
        await using (var db = new NpgsqlConnection(connection))
        {
            await db.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT siloname, extract(epoch FROM iamalivetime - now()) FROM orleansmembershiptable WHERE status = 3", db);
            await using var reader = await query.ExecuteReaderAsync();
            var offsets = new Dictionary<string, double>();
            while (await reader.ReadAsync()) offsets[reader.GetString(0)] = Convert.ToDouble(reader.GetValue(1));
            Assert.InRange(offsets["ahead"], Skew / 2.0, Skew * 1.5);
            Assert.InRange(offsets["behind"], -Skew * 1.5, -Skew / 2.0);
        }

        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "submit", "--cluster", connection, "--dataset", "synthetic",
            "--taus", "0.1,0.6", "--epochs", "2", "--subset", "2048", "--eval-subset", "300", "--batch-size", "128");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = submit.Stdout.Trim().Split('\n')[^1];
        var trials = ClusterStudy.Watch(dir, id, connection, TimeSpan.FromMinutes(6));
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(("completed", 2, 1),
            (t.Trial.GetProperty("status").GetString(), t.Trial.GetProperty("epochs_completed").GetInt32(), t.Trial.GetProperty("attempts").GetInt32())));
        Assert.Equal(2, trials.Select(t => t.Trial.GetProperty("silo").GetString()).Distinct().Count()); // both skewed silos trained
        Assert.All(trials, t => Assert.Equal([1, 2], t.Epochs));
    }
}
