using System.Text.Json;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: faults between machines, on a real network (<see cref="NetworkLab"/>): PostgreSQL in a namespace of its
/// own, each silo in another, the client on the host. A silo that trains is cut from everything for longer than the
/// membership timeout, then healed. The study completes: every trial once, every epoch once (an attempt the cut
/// silo was running cannot write once it is stale), and the cut silo, declared dead while it was away, either
/// serves again or exits clearly for its supervisor to restart it.
/// </summary>
public sealed class NetworkFaultTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-network-").FullName;
    readonly NetworkLab lab = new();
    readonly List<ChildProcess> processes = [];
    PostgresServer? postgres;

    public void Dispose()
    {
        foreach (var p in processes) p.Dispose();
        postgres?.Dispose();
        lab.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    const int Database = 10;

    /// <summary>A `./silo` in namespace <paramref name="member"/> at lab address <paramref name="host"/>, once /readyz answers.</summary>
    ChildProcess StartSilo(string connection, string member, int host)
    {
        var secret = Path.Combine(dir, "cluster-secret");
        if (!File.Exists(secret)) File.WriteAllText(secret, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var address = lab.Address(host);
        var silo = new ChildProcess(ChildProcess.SiloDll,
            ["--cluster", connection, "--slots", "1", "--threads-per-slot", "1", "--advertise", address, "--metrics-port", "9100",
             "--metrics-address", address, "--artifacts", Path.Combine(dir, "artifacts"), "--name", member, "--cluster-secret", secret],
            dir, launcher: lab.Launcher(member));
        processes.Add(silo);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!Ready(http, address))
        {
            Assert.False(silo.HasExited, $"silo {member} exited: {silo.Stdout}{silo.Stderr}");
            Assert.True(DateTime.UtcNow < until, $"silo {member} never became ready: {silo.Stdout}");
            Thread.Sleep(300);
        }
        return silo;
    }

    static bool Ready(HttpClient http, string address)
    {
        try { return http.GetAsync($"http://{address}:9100/readyz").Result.IsSuccessStatusCode; }
        catch (Exception) { return false; }
    }

    [Fact]
    public void AStudyCompletesThroughASiloCutOffLongerThanTheMembershipTimeout()
    {
        lab.Add("d", Database);
        lab.Add("a", 2);
        lab.Add("b", 3);
        postgres = PostgresServer.InLab(lab.Address(Database), lab.Launcher("d"));
        var connection = postgres.CreateDatabase();
        var silos = new Dictionary<string, (ChildProcess Process, string Address)>
        {
            ["a"] = (StartSilo(connection, "a", 2), lab.Address(2)),
            ["b"] = (StartSilo(connection, "b", 3), lab.Address(3)),
        };

        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "submit", "--cluster", connection, "--dataset", "synthetic",
            "--taus", "0.1,0.3,0.6,1.0", "--epochs", "3", "--subset", "3072", "--eval-subset", "300", "--batch-size", "128");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = submit.Stdout.Trim().Split('\n')[^1];

        // Once both silos train and one is past its first epoch, cut that one off for 40 s (membership declares a
        // silo dead after about 10 s of missed probes).
        JsonElement Show() => JsonDocument.Parse(StudyProcess.Run(TimeSpan.FromMinutes(1), dir, "show", id, "--json", "--cluster", connection).Stdout).RootElement;
        string? victim = null;
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (victim is null)
        {
            var running = Show().GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("status").GetString() == "running").ToList();
            if (running.Select(t => t.GetProperty("silo").GetString()).Distinct().Count() == 2
                && running.FirstOrDefault(t => t.GetProperty("epochs_completed").GetInt32() >= 1) is { ValueKind: JsonValueKind.Object } trained)
                victim = silos.Single(s => trained.GetProperty("silo").GetString()!.StartsWith(s.Value.Address + ":")).Key;
            Assert.True(DateTime.UtcNow < until, "the two silos never trained at once");
            Thread.Sleep(300);
        }
        lab.Isolate(victim);
        Thread.Sleep(TimeSpan.FromSeconds(40));
        lab.Heal(victim);

        var watched = StudyProcess.Run(TimeSpan.FromMinutes(6), dir, "watch", id, "--cluster", connection, "--json", "--out", Path.Combine(dir, "out"));
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        using var results = JsonDocument.Parse(watched.Stdout);
        var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(("completed", 3), (t.GetProperty("status").GetString(), t.GetProperty("epochs_completed").GetInt32())));
        Assert.Contains(trials, t => t.GetProperty("attempts").GetInt32() > 1);
        foreach (var trial in trials)
        {
            var epochs = File.ReadAllLines(Path.Combine(dir, "out", "trials", trial.GetProperty("trial_id").GetString()!, "metrics.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32());
            Assert.Equal([1, 2, 3], epochs);
        }

        // The cut silo: serving again, or gone with an exit a supervisor restarts on (not a crash).
        var (process, address) = silos[victim];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!process.HasExited && !Ready(http, address) && DateTime.UtcNow < settled) Thread.Sleep(500);
        Assert.True(process.HasExited || Ready(http, address), $"the healed silo neither serves nor exits: {process.Stdout[^Math.Min(3000, process.Stdout.Length)..]}");
        if (process.HasExited)
        {
            Assert.True(process.ExitCode == 3, $"the healed silo did not exit clearly (exit {process.ExitCode}): {process.Stderr}");
            Assert.Contains("silo: the cluster declared this silo dead (it was cut off for longer than the membership timeout); exiting with status 3", process.Stderr);
        }
    }
}
