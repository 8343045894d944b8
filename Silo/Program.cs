using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Scheduling;
using Study.Grains.Storage;
using Study.Silo;
using Study.Training.Native;
using Study.Training.Trainer;

// ./silo: one silo of a study cluster (SPEC §3). Exit 2 on bad input, as the study console.
if (NativeLibTorch.Load() is { } missing)
{
    Console.Error.WriteLine($"silo: {missing}");
    return 2;
}
if (NativeLibTorch.Notice is { } notice) Console.Error.WriteLine($"silo: note: {notice}");
if (args is [Study.Grains.Running.Workers.SlotWorker.Argument]) return Study.Grains.Running.Workers.SlotWorker.Run(Console.In, Console.Out);

SiloOptions options;
try { options = SiloOptions.Parse(args); }
catch (ArgumentException e)
{
    if (args.Contains("--help")) { Console.WriteLine(SiloOptions.Usage); return 0; }
    Console.Error.WriteLine($"silo: {e.Message}");
    return 2;
}

var layout = SlotLayout.For(TrainingDevice.CudaDevices(), options.Slots, options.SlotsPerGpu);
int slots = layout.Slots;
var runtime = new RuntimeOptions
{
    Slots = slots,
    Gpus = layout.Gpus,
    Isolation = options.SlotIsolation ?? RuntimeOptions.DefaultIsolation(layout.Gpus),
    ThreadsPerSlot = options.ThreadsPerSlot ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, slots)),
    Artifacts = Path.GetFullPath(options.Artifacts),
};

IStudyStore store;
string? connection = options.Cluster;
try
{
    store = connection is null ? new SqliteStudyStore(options.Store) : new PostgresStudyStore(await StudyRuntimeHosting.OpenCluster(connection));
    await store.EnsureSchema();
}
catch (Exception e) when (e is Npgsql.NpgsqlException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"silo: --cluster: cannot use the cluster database ({e.GetBaseException().Message.TrimEnd('.')})");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Orleans", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(25));
builder.UseOrleans(silo =>
{
    if (connection is null)
    {
        var primary = options.PrimaryPort is { } p ? new IPEndPoint(IPAddress.Loopback, p) : null;
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, StudyRuntimeHosting.ServiceId, StudyRuntimeHosting.ClusterId);
        silo.UseInMemoryReminderService();
    }
    else
    {
        silo.UsePostgresCluster(connection);
        var advertised = options.Advertise is { } ip ? IPAddress.Parse(ip) : AdvertisedAddress();
        silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
    }
    if (options.Name is { } name) silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = name);
    silo.AddStudyRuntime(store, runtime);
});
if (options.MetricsPort is { } metricsPort)
    builder.Services.AddHostedService(sp => new HealthEndpoint(metricsPort, sp.GetRequiredService<SlotPool>(), sp.GetRequiredService<IHostApplicationLifetime>()));

using var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("silo");
log.LogInformation("silo: {Slots} slot(s) ({Devices}) × {Threads} thread(s), slots isolated by {Isolation}, {Clustering}, artifacts {Artifacts}",
    runtime.Slots, string.Join(", ", layout.Devices), runtime.ThreadsPerSlot, runtime.Isolation.ToString().ToLowerInvariant(), connection is null ? "development clustering" : "PostgreSQL cluster", runtime.Artifacts);
await host.RunAsync();
await store.DisposeAsync();
return 0;

static IPAddress AdvertisedAddress()
{
    try
    {
        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? IPAddress.Loopback;
    }
    catch (System.Net.Sockets.SocketException) { return IPAddress.Loopback; }
}
