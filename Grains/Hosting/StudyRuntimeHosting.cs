using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Study.Grains.Running;
using Study.Grains.Scheduling;
using Study.Grains.Security;
using Study.Grains.Storage;
using Study.Grains.Telemetry;
using Study.Training.Trainer;

namespace Study.Grains.Hosting;

/// <summary>How every silo of the product is put together: the `./silo` host, the embedded silo of `study run`,
/// the silos of the tests and of `study bench --runtime`.</summary>
public static class StudyRuntimeHosting
{
    public const string ClusterId = "tau-study";
    public const string ServiceId = "tau-study";
    public static readonly TimeSpan MembershipProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The study runtime on this silo: slots, runner, trainers, placement, the store, the heartbeat.</summary>
    public static ISiloBuilder AddStudyRuntime(this ISiloBuilder silo, IStudyStore store, RuntimeOptions options)
    {
        TrainingRuntime.Initialize(Math.Max(1, options.ThreadsPerSlot));
        silo.AddPlacementDirector<SlotPlacement, SlotPlacementDirector>();
        // Grain calls carry the caller's trace context, so that one study is one trace (docs/TELEMETRY.md).
        silo.AddActivityPropagation();
        // Failure detection, chosen on purpose (docs/RELIABILITY.md): a silo that misses 3 probes of 2 s from 2
        // voters is declared dead in about 10 s instead of Orleans's default 20-30 s (its trials move 10 s after that:
        // SiloLiveness.DeadGrace, the time a cut-off silo gets to stop them itself). Probes are
        // answered off the training threads (slots are dedicated threads or worker processes), so a silo busy
        // training still answers them. Every silo, the tests' included, runs with these.
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = MembershipProbeTimeout;
            o.NumMissedProbesLimit = 3;
            o.NumVotesForDeathDeclaration = 2;
        });
        // Silo-only calls (slot reports, trial starts, epoch and outcome reports) from silos alone (docs/RELIABILITY.md).
        silo.AddOutgoingGrainCallFilter<SiloCallSigner>();
        silo.AddIncomingGrainCallFilter<SiloCallGuard>();
        var services = silo.Services;
        services.AddOptions<RuntimeOptions>().Configure(o => options.CopyTo(o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>();
        // Consumers take RuntimeOptions itself (the coordinator among them): the validated instance.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RuntimeOptions>>().Value);
        services.AddMetrics();
        services.AddSingleton(sp =>
        {
            var runtime = sp.GetRequiredService<RuntimeOptions>();
            return new SlotPool(new SlotLayout(runtime.Gpus, runtime.Slots), sp.GetRequiredService<ILogger<SlotPool>>());
        });
        services.AddSingleton<StudyMetrics>();
        services.AddSingleton<IStudyStore>(sp => new MeasuredStudyStore(store, sp.GetRequiredService<StudyMetrics>().StoreWriteDuration));
        services.AddSingleton<SlotDirectory>();
        services.AddSingleton<Coordinator.CoordinatorMetrics>();
        services.AddSingleton<DatasetCache>();
        services.AddSingleton<ContrastiveTrialTrainer>();
        services.AddSingleton<SyntheticTrialTrainer>();
        services.AddSingleton<Running.Workers.ProcessTrialTrainer>();
        services.AddSingleton<ITrialTrainer, TrainerSelector>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReportDelivery>();
        services.AddSingleton<TrialRunner>();
        services.AddHostedService<SlotHeartbeat>();
        services.AddHostedService<SelfFence>();
        return silo;
    }

    /// <summary>Membership and reminders in PostgreSQL (the cluster's database), via Orleans' ADO.NET providers.</summary>
    public static ISiloBuilder UsePostgresCluster(this ISiloBuilder silo, string connectionString)
    {
        silo.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ServiceId; });
        silo.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
        silo.UseAdoNetReminderService(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
        return silo;
    }

    /// <summary>A silo's view of the cluster database: its schema created when missing, and the clients' read-only
    /// role with <paramref name="clientPassword"/> when given; the error names what failed.</summary>
    public static async Task<NpgsqlDataSource> OpenClusterAsSilo(string connectionString, string? clientPassword, CancellationToken cancel = default)
    {
        var dataSource = DataSource(connectionString);
        await PostgresSchema.Ensure(dataSource, clientPassword, cancel);
        return dataSource;
    }

    /// <summary>A client's view of the cluster database: it runs no DDL, so the silos must have made the schema.</summary>
    /// <exception cref="InvalidOperationException">no silo has created the schema yet</exception>
    public static async Task<NpgsqlDataSource> OpenClusterAsClient(string connectionString, CancellationToken cancel = default)
    {
        var dataSource = DataSource(connectionString);
        if (!await PostgresClientRole.SchemaExists(dataSource, cancel))
        {
            await dataSource.DisposeAsync();
            throw new InvalidOperationException("the database has no study tables yet: a silo creates them when it starts (./silo --cluster ...)");
        }
        return dataSource;
    }

    static NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Timeout is 0 or > 10) builder.Timeout = 10;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}
