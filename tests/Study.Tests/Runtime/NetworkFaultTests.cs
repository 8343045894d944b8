using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: faults between machines, on a real network (<see cref="NetworkLab"/>): PostgreSQL in a namespace of its
/// own, each of two silos in another, the client on the host. While both silos train, a fault strikes one of them
/// (<see cref="Faults"/>: cut off past the membership timeout, cut from the database only, an asymmetric cut, slow
/// and lossy links, a flapping link, all at once). Each time the study completes with every trial once and every
/// epoch once (a stale attempt cannot write), and each silo either serves or, declared dead while it was away,
/// exits with status 3 and one line for its supervisor to restart it, never a crash.
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
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
        lock (processes) if (!File.Exists(secret)) File.WriteAllText(secret, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var address = lab.Address(host);
        var silo = new ChildProcess(ChildProcess.SiloDll,
            ["--cluster", connection, "--slots", "1", "--threads-per-slot", "1", "--advertise", address, "--metrics-port", "9100",
             "--metrics-address", address, "--artifacts", Path.Combine(dir, "artifacts"), "--name", member, "--cluster-secret", secret],
            dir, launcher: lab.Launcher(member));
        lock (processes) processes.Add(silo);
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

    /// <summary>The faults, each made on the silo that trains a trial past its first epoch (the victim) while the
    /// other trains too. <c>./test</c> runs <c>isolate</c>; <c>scripts/chaos --network</c> runs them all
    /// (STUDY_NETWORK_FAULTS).</summary>
    public static readonly Dictionary<string, Action<NetworkLab, string, string>> Faults = new()
    {
        // Cut from everything for longer than the membership timeout, then healed.
        ["isolate"] = (lab, victim, _) => { lab.Isolate(victim); Thread.Sleep(TimeSpan.FromSeconds(40)); lab.Heal(victim); },
        // Cut from the database only: it still reaches the other silo, and the other reaches it.
        ["database"] = (lab, victim, _) => { lab.Block(victim, Database); Thread.Sleep(TimeSpan.FromSeconds(45)); lab.Unblock(victim, Database); },
        // One way: the victim cannot send to the other silo; the other can send to it.
        ["asymmetric"] = (lab, victim, other) => { lab.Block(victim, HostOf(other)); Thread.Sleep(TimeSpan.FromSeconds(40)); lab.Unblock(victim, HostOf(other)); },
        // Slow and lossy, both silos, between them and to the database: 1 Mbit/s out of each, 5% of packets dropped
        // each way.
        ["lossy"] = (lab, victim, other) =>
        {
            foreach (var silo in new[] { victim, other }) lab.SlowAndLossy(silo, "1mbit", 5);
            Thread.Sleep(TimeSpan.FromSeconds(60));
            foreach (var silo in new[] { victim, other }) lab.Clear(silo);
        },
        // A flapping link: down 5 s, up 5 s, six times.
        ["flapping"] = (lab, victim, _) =>
        {
            for (int i = 0; i < 6; i++) { lab.Isolate(victim); Thread.Sleep(5000); lab.Heal(victim); Thread.Sleep(5000); }
        },
        // All at once: lossy links, the victim cut from the database, then isolated.
        ["combined"] = (lab, victim, other) =>
        {
            foreach (var silo in new[] { victim, other }) lab.SlowAndLossy(silo, "1mbit", 5);
            lab.Block(victim, Database);
            Thread.Sleep(TimeSpan.FromSeconds(20));
            lab.Isolate(victim);
            Thread.Sleep(TimeSpan.FromSeconds(40));
            lab.Heal(victim);
            lab.Unblock(victim, Database);
            foreach (var silo in new[] { victim, other }) lab.Clear(silo);
        },
    };

    static int HostOf(string silo) => silo == "a" ? 2 : 3;

    public static IEnumerable<object[]> Chosen() =>
        (Environment.GetEnvironmentVariable("STUDY_NETWORK_FAULTS") is { Length: > 0 } list ? list.Split(',') : ["isolate"])
        .Select(fault => new object[] { fault.Trim() });

    [Theory]
    [MemberData(nameof(Chosen))]
    public async Task AStudyCompletesThroughTheFault(string fault)
    {
        Assert.True(Faults.ContainsKey(fault), $"no fault '{fault}' ({string.Join(", ", Faults.Keys)})");
        lab.Add("d", Database);
        lab.Add("a", 2);
        lab.Add("b", 3);
        postgres = PostgresServer.InLab(lab.Address(Database), lab.Launcher("d"));
        var connection = postgres.CreateDatabase();
        // Both start at once (each waits for its /readyz).
        var a = Task.Run(() => StartSilo(connection, "a", 2));
        var b = Task.Run(() => StartSilo(connection, "b", 3));
        var silos = new Dictionary<string, (ChildProcess Process, string Address)>
        {
            ["a"] = (await a, lab.Address(2)),
            ["b"] = (await b, lab.Address(3)),
        };

        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "submit", "--cluster", connection, "--dataset", "synthetic",
            "--taus", "0.1,0.3,0.6,1.0", "--epochs", "3", "--subset", "3072", "--eval-subset", "300", "--batch-size", "128");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = submit.Stdout.Trim().Split('\n')[^1];

        // Once both silos train and one is past its first epoch, the fault strikes that one.
        var trained = ClusterStudy.SiloOfATrainedTrialOnceBothTrain(dir, id, connection);
        var victim = silos.Single(s => trained.StartsWith(s.Value.Address + ":")).Key;
        Faults[fault](lab, victim, victim == "a" ? "b" : "a");

        var trials = ClusterStudy.Watch(dir, id, connection, TimeSpan.FromMinutes(8));
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(("completed", 3), (t.Trial.GetProperty("status").GetString(), t.Trial.GetProperty("epochs_completed").GetInt32())));
        Assert.All(trials, t => Assert.Equal([1, 2, 3], t.Epochs));

        // Each silo: serving, or gone with the exit a supervisor restarts on (told it was declared dead), not a crash.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var settled = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var outcome = new List<string>();
        foreach (var (name, (process, address)) in silos)
        {
            while (!process.HasExited && !Ready(http, address) && DateTime.UtcNow < settled) Thread.Sleep(500);
            Assert.True(process.HasExited || Ready(http, address), $"silo {name} neither serves nor exits: {process.Stdout[^Math.Min(3000, process.Stdout.Length)..]}");
            if (process.HasExited)
            {
                Assert.True(process.ExitCode == 3, $"silo {name} did not exit clearly (exit {process.ExitCode}): {process.Stderr}");
                Assert.Contains("silo: the cluster declared this silo dead (it was cut off for longer than the membership timeout); exiting with status 3", process.Stderr);
            }
            outcome.Add($"{name}{(name == victim ? " (victim)" : "")}: {(process.HasExited ? "exited 3" : "serving")}");
        }
        var gaps = NoTrialTrainedTwiceAtOnce(silos.ToDictionary(s => s.Key, s => s.Value.Process));
        int attempts = trials.Sum(t => t.Trial.GetProperty("attempts").GetInt32());
        // Cut off past the membership timeout, the victim's trial moved: resumed elsewhere as a new attempt.
        if (fault is "isolate" or "combined") Assert.True(attempts > trials.Count, $"{attempts} attempts: the cut silo's trial did not move");
        Console.WriteLine($"network fault {fault}: study completed, 4 trials, {attempts} attempts; {string.Join("; ", outcome)}" +
            (gaps.Count > 0 ? $"; a moved attempt ended {string.Join(", ", gaps.Select(g => $"{g.TotalSeconds:0.0} s"))} before its successor started" : ""));
    }

    /// <summary>From the silos' "training started" and "training ended" lines, in the order this process read them:
    /// no two attempts of one trial trained at the same time (an attempt that never ended trained until its silo
    /// exited, or for ever if it did not). Returns
    /// the time between an attempt's end and its successor's start, for successors on another silo.</summary>
    static List<TimeSpan> NoTrialTrainedTwiceAtOnce(Dictionary<string, ChildProcess> silos)
    {
        var pattern = new System.Text.RegularExpressions.Regex(@"trial (\S+) attempt (\d+): training (started|ended)");
        var spans = new Dictionary<(string Trial, int Attempt), (string Silo, DateTime Start, DateTime End)>();
        foreach (var (name, process) in silos)
            foreach (var (at, line) in process.StdoutLines)
            {
                if (pattern.Match(line) is not { Success: true } m) continue;
                var key = (m.Groups[1].Value, int.Parse(m.Groups[2].Value));
                if (m.Groups[3].Value == "started") spans[key] = (name, at, DateTime.MaxValue);
                else if (spans.TryGetValue(key, out var span) && span.End == DateTime.MaxValue) spans[key] = span with { End = at };
            }
        Assert.NotEmpty(spans);
        foreach (var (key, span) in spans.ToList())
            if (span.End == DateTime.MaxValue && silos[span.Silo].ExitedAt is { } exited) spans[key] = span with { End = exited };
        var gaps = new List<TimeSpan>();
        foreach (var trial in spans.GroupBy(s => s.Key.Trial))
        {
            var attempts = trial.OrderBy(s => s.Value.Start).ToList();
            for (int i = 1; i < attempts.Count; i++)
                Assert.True(attempts[i - 1].Value.End <= attempts[i].Value.Start,
                    $"trial {trial.Key}: attempt {attempts[i - 1].Key.Attempt} on {attempts[i - 1].Value.Silo} still trained " +
                    $"({(attempts[i - 1].Value.End == DateTime.MaxValue ? "it never ended" : $"until {attempts[i - 1].Value.End:HH:mm:ss.fff}")}) " +
                    $"when attempt {attempts[i].Key.Attempt} started on {attempts[i].Value.Silo} at {attempts[i].Value.Start:HH:mm:ss.fff}; " +
                    $"{attempts[i - 1].Value.Silo} said:\n" + string.Join("\n", silos[attempts[i - 1].Value.Silo].StdoutLines
                        .Where(l => l.Line.Contains("silo:") || l.Line.Contains("attempt") || l.Line.Contains("dead", StringComparison.OrdinalIgnoreCase))
                        .TakeLast(25).Select(l => $"{l.At:HH:mm:ss.fff} {l.Line}")));
            gaps.AddRange(attempts.Zip(attempts.Skip(1)).Where(p => p.First.Value.Silo != p.Second.Value.Silo)
                .Select(p => p.Second.Value.Start - p.First.Value.End));
        }
        return gaps;
    }
}
