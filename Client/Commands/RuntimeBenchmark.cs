using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Scheduling;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>
/// `study bench --runtime` (SPEC §7): one study of synthetic trials (no tensor work; each epoch reports after
/// --epoch-ms) through the real grains, on an in-process cluster of --silos silos with --slots slots each.
/// </summary>
public static class RuntimeBenchmark
{
    public static readonly OptionSpec[] Specs =
    [
        OptionSpec.Flag("runtime", "benchmark the study runtime"),
        new("trials", "trials of the study", ValueName: "N", Default: "1000"),
        new("silos", "in-process silos", ValueName: "S", Default: "4"),
        new("slots", "slots per silo", ValueName: "K", Default: "4"),
        new("epochs", "epochs per trial", ValueName: "E", Default: "1"),
        new("epoch-ms", "milliseconds an epoch takes", ValueName: "M", Default: "0"),
        new("search", "grid or adaptive", ValueName: "NAME", Default: "grid"),
        new("store", "memory or sqlite", ValueName: "NAME", Default: "memory"),
        OptionSpec.Flag("json", "print one JSON object"),
    ];

    public sealed record Result(
        int Trials, int Silos, int Slots, int Epochs, int EpochMs, string Search, string Store, double Seconds, double TrialsPerSecond,
        double SlotUtilization, double? ProposalMsP50, double? ProposalMsP99, int? Proposals, double? PointsPerProposal,
        double? ProposalMsPerPointP50, double? ProposalMsPerPointP99, double? BestTau,
        double RssMbAfter, long? StoreBytes);

    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var a = ParsedArguments.Parse("bench", args, Specs);
        int trials = a.Int("trials", min: 1) ?? 1000, silos = a.Int("silos", min: 1) ?? 4, slots = a.Int("slots", min: 1) ?? 4;
        int epochs = a.Int("epochs", min: 1) ?? 1, epochMs = a.Int("epoch-ms", min: 0) ?? 0;
        var search = a.Setting("search", SearchKind.Grid);
        if (search == SearchKind.Random) throw new UsageException("--search: the runtime benchmark runs grid or adaptive");
        var storeKind = a.Choice("store", ["memory", "sqlite"], "memory");
        var result = await Measure(trials, silos, slots, epochs, epochMs, search, storeKind);
        if (a.Flag("json")) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else Console.WriteLine($"{result.Trials} trials in {result.Seconds:0.00} s: {result.TrialsPerSecond:0} trials/s, slot utilisation {result.SlotUtilization:P1}" +
            (result.ProposalMsP99 is { } p99 ? $", proposals p50 {result.ProposalMsP50:0.00} ms p99 {p99:0.00} ms" : ""));
        return ExitCodes.Completed;
    }

    public static async Task<Result> Measure(int trials, int siloCount, int slots, int epochs, int epochMs, SearchKind search, string storeKind)
    {
        var folder = Directory.CreateTempSubdirectory("study-bench-").FullName;
        IStudyStore store = storeKind == "sqlite" ? new SqliteStudyStore(Path.Combine(folder, "studies.db")) : new MemoryStudyStore();
        await store.EnsureSchema();
        var hosts = new List<IHost>();
        try
        {
            int primaryPort = FreePort();
            for (int i = 0; i < siloCount; i++)
            {
                int siloPort = i == 0 ? primaryPort : FreePort();
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                Hosting.QuietLogging(builder.Logging);
                builder.UseOrleans(silo => silo
                    .UseLocalhostClustering(siloPort, FreePort(), new IPEndPoint(IPAddress.Loopback, primaryPort), StudyRuntimeHosting.ServiceId, StudyRuntimeHosting.ClusterId)
                    .UseInMemoryReminderService()
                    .AddStudyRuntime(store, new RuntimeOptions { Slots = slots, ThreadsPerSlot = 1, Artifacts = Path.Combine(folder, "artifacts") }));
                var host = builder.Build();
                await host.StartAsync();
                hosts.Add(host);
            }
            var pools = hosts.Select(h => h.Services.GetRequiredService<SlotPool>()).ToList();
            var grains = hosts[0].Services.GetRequiredService<IGrainFactory>();
            await WaitForSlots(grains, siloCount * slots);

            var spec = new StudySpec
            {
                StudyId = "bench-runtime", Dataset = "synthetic", Search = search, Epochs = epochs, SyntheticEpochMs = epochMs,
                Taus = search == SearchKind.Grid ? LogSpaced(trials, 0.02, 2) : [0.1, 0.5, 1.5], TausGiven = search == SearchKind.Grid,
                Trials = search == SearchKind.Grid ? null : trials, TauMin = 0.02, TauMax = 2,
            };
            double busyBefore = pools.Sum(p => p.BusySeconds);
            var clock = Stopwatch.StartNew();
            var study = grains.GetGrain<IStudyGrain>(spec.StudyId);
            await study.Start(spec);
            while (!StudyStatuses.IsFinal((await study.GetSnapshot()).Status)) await Task.Delay(5);
            clock.Stop();
            double busy = pools.Sum(p => p.BusySeconds) - busyBefore;
            var coordinators = hosts.Select(h => h.Services.GetRequiredService<CoordinatorMetrics>()).ToList();
            var proposals = coordinators.SelectMany(c => c.ProposalMilliseconds).Order().ToArray();
            var points = coordinators.SelectMany(c => c.ProposalPoints).ToArray();
            // A call proposes a τ for every slot free at once; Optuna's ask() one: per τ, they compare.
            var perPoint = coordinators.SelectMany(c => c.ProposalMilliseconds.Zip(c.ProposalPoints, (ms, n) => n > 0 ? ms / n : double.NaN))
                .Where(double.IsFinite).Order().ToArray();
            // Where the search ended up: the synthetic objective peaks at τ = 0.3 (a change to the sampler must still find it).
            var best = (await Reporting.StudyResults.Load(store, spec.StudyId))?.Best?.Setting?.Tau;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            long? storeBytes = store is SqliteStudyStore sqlite ? StoreSize(sqlite.Path) : null;
            return new Result(trials, siloCount, slots, epochs, epochMs, SettingName.Of(search), storeKind, clock.Elapsed.TotalSeconds,
                trials / clock.Elapsed.TotalSeconds, busy / (siloCount * slots * clock.Elapsed.TotalSeconds),
                proposals.Length > 0 ? Percentile(proposals, 0.5) : null, proposals.Length > 0 ? Percentile(proposals, 0.99) : null,
                proposals.Length > 0 ? proposals.Length : null, points.Length > 0 ? Math.Round(points.Average(), 2) : null,
                perPoint.Length > 0 ? Percentile(perPoint, 0.5) : null, perPoint.Length > 0 ? Percentile(perPoint, 0.99) : null, best,
                Math.Round(self.WorkingSet64 / 1048576.0, 1), storeBytes);
        }
        finally
        {
            foreach (var host in Enumerable.Reverse(hosts))
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try { await host.StopAsync(timeout.Token); } catch (OperationCanceledException) { }
                host.Dispose();
            }
            await store.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The scheduler knows every silo's slots only after their first heartbeats.</summary>
    static async Task WaitForSlots(IGrainFactory grains, int expected)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await grains.GetGrain<ISlotSchedulerGrain>(0).FreeSlots()) < expected && DateTime.UtcNow < until) await Task.Delay(50);
    }

    static double[] LogSpaced(int n, double min, double max) => n == 1 ? [min] :
        Enumerable.Range(0, n).Select(i => Math.Round(Math.Exp(Math.Log(min) + i * (Math.Log(max) - Math.Log(min)) / (n - 1)), 9)).Distinct().ToArray();

    static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    static long StoreSize(string path) => new[] { path, path + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
