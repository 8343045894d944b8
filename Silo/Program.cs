using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Running.Workers;
using Study.Grains.Scheduling;
using Study.Grains.Storage;
using Study.Silo;
using Study.Training.Native;
using Study.Training.Trainer;

// ./silo: one silo of a study cluster (docs/CLI.md). Exit 2 on bad input, as the study console.
if (NativeLibTorch.Load() is { } missing)
{
    Console.Error.WriteLine($"silo: {missing}");
    return 2;
}
if (NativeLibTorch.Notice is { } notice) Console.Error.WriteLine($"silo: note: {notice}");
if (args is [SlotWorker.Argument]) return SlotWorker.Run(Console.In, Console.Out);
SiloSettings settings;
try
{
    // null: --help, or the [suggest] directive of shell completion.
    if (SiloConfiguration.Load(args, out var asked) is not { } loaded) return asked.Invoke();
    settings = loaded;
}
catch (SiloConfigurationException e)
{
    Console.Error.WriteLine($"silo: {e.Message}");
    return 2;
}
var options = settings.Options;
// A dashboard `study dashboard` runs on this machine gets the silo's telemetry, unless OTEL_* send it elsewhere.
if (LocalDashboard.Discover() is { } dashboard) Console.Error.WriteLine($"silo: telemetry to the dashboard at {dashboard.Url}");

var layout = SlotLayout.For(TrainingDevice.CudaDevices(), options.Slots, options.SlotsPerGpu);
int slots = layout.Slots;
var runtime = new RuntimeOptions
{
    Slots = slots,
    Gpus = layout.Gpus,
    Isolation = options.SlotIsolation ?? RuntimeOptions.DefaultIsolation(layout.Gpus),
    ThreadsPerSlot = options.ThreadsPerSlot ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots)),
    Artifacts = Path.GetFullPath(options.Artifacts),
    Credential = settings.Credential,
    DataRoots = options.DataRoots is { } roots
        ? roots.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToArray()
        : [Study.Training.Data.DatasetCatalog.DefaultRoot, "/data"],
};

IStudyStore store;
try
{
    store = options.Cluster is not { } connection ? new SqliteStudyStore(options.Store) : new PostgresStudyStore(await StudyRuntimeHosting.OpenClusterAsSilo(connection, settings.ClientPassword));
    await store.EnsureSchema();
}
catch (Exception e) when (options.Cluster is not null && e is Npgsql.NpgsqlException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"silo: --cluster: cannot use the cluster database ({e.GetBaseException().Message.TrimEnd('.')})");
    return 2;
}
catch (Exception e) when (options.Cluster is null && e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"silo: --store: cannot use '{options.Store}' ({e.GetBaseException().Message.TrimEnd('.')})");
    return 2;
}

using var host = SiloHost.Build(options, settings.Tls, store, runtime);
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("silo");
log.LogInformation("silo: {Slots} slot(s) ({Devices}) × {Threads} thread(s), slots isolated by {Isolation}, {Clustering}, artifacts {Artifacts}{Http}",
    runtime.Slots, string.Join(", ", layout.Devices), runtime.ThreadsPerSlot, runtime.Isolation.ToString().ToLowerInvariant(),
    options.Cluster is null ? "development clustering" : "PostgreSQL cluster", runtime.Artifacts,
    (options.MetricsPort is { } port ? $", metrics on {options.MetricsAddress}:{port}" : "") +
    (options.Dashboard ? $", dashboard on {options.DashboardAddress}:{options.DashboardPort}" : ""));
if (OpenCluster.Warning(options, settings.Tls is not null, settings.Credential is not null) is { } open) Console.Error.WriteLine(open);
try { await host.RunAsync(); }
catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"silo: cannot listen: {e.Message}");
    return 2;
}
await store.DisposeAsync();
return 0;
