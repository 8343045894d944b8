using System.CommandLine;
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
/// `study bench --runtime` (docs/CLI.md): one study of synthetic trials (no tensor work; each epoch reports after
/// --epoch-ms) through the real grains, on an in-process cluster of --silos silos with --slots slots each.
/// </summary>
public static class RuntimeBenchmark
{
    static readonly Option<int> Trials = TypedOptions.Int("--trials", "trials of the study", 1000, min: 1);
    static readonly Option<int> Silos = TypedOptions.Int("--silos", "in-process silos", 4, min: 1, helpName: "S");
    static readonly Option<int> Epochs = TypedOptions.Int("--epochs", "epochs per trial", 1, min: 1, helpName: "E");
    static readonly Option<int> EpochMs = TypedOptions.Int("--epoch-ms", "milliseconds an epoch takes", 0, min: 0, helpName: "M");
    static readonly Option<string> Search = TypedOptions.Choice("--search", "grid or adaptive", ["grid", "adaptive"], "grid");
    static readonly Option<string> Store = TypedOptions.Choice("--store", "memory or sqlite", ["memory", "sqlite"], "memory");

    /// <summary>The options of `bench --runtime` alone (it shares --slots and --json with the step's benchmark).</summary>
    public static readonly Option[] Options = [Trials, Silos, Epochs, EpochMs, Search, Store];

    public sealed record Result(
        int Trials, int Silos, int Slots, int Epochs, int EpochMs, string Search, string Store, double Seconds, double TrialsPerSecond,
        double SlotUtilization, double? ProposalMsP50, double? ProposalMsP99, int? Proposals, double? PointsPerProposal,
        double? ProposalMsPerPointP50, double? ProposalMsPerPointP99, double? BestTau,
        double RssMbAfter, long? StoreBytes);

    public static async Task<int> Run(ParseResult parse)
    {
        _ = SettingNames<SearchKind>.TryParse(parse.GetValue(Search)!, out var search); // the option takes only its names
        var result = await Measure(parse.GetValue(Trials), parse.GetValue(Silos), parse.GetValue(BenchCommand.Slots) ?? 4, parse.GetValue(Epochs),
            parse.GetValue(EpochMs), search, parse.GetValue(Store)!);
        if (parse.GetValue(CommonOptions.Json)) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else Console.WriteLine($"{result.Trials} trials in {Numbers.Fixed(result.Seconds, 2)} s: {Numbers.Fixed(result.TrialsPerSecond, 0)} trials/s, slot utilisation {result.SlotUtilization:P1}" +
            (result.ProposalMsP99 is { } p99 ? $", proposals p50 {Numbers.Fixed(result.ProposalMsP50, 2)} ms p99 {Numbers.Fixed(p99, 2)} ms" : ""));
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
