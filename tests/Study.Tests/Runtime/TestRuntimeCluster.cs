using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using Study.Grains;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Security;
using Study.Grains.Storage;
using Study.Training.Trainer;

namespace Study.Tests.Runtime;

/// <summary>
/// A real Orleans cluster of in-process silos (TestingHost) running the study runtime, one silo per entry of
/// <c>slots</c> (Primary, Secondary_1, …), sharing one store as silos share a database. A trainer wrapper
/// records, per silo, how many trials ran at once.
/// </summary>
public sealed class TestRuntimeCluster : IAsyncDisposable
{
    static readonly ConcurrentDictionary<string, TestRuntimeCluster> ByName = new();

    public TestCluster Cluster { get; }
    public IStudyStore Store { get; }
    public string Artifacts { get; }
    public int[] Slots { get; }
    /// <summary>Each silo's cluster secret (by default the one of this process, shared by all).</summary>
    public SiloCredential?[]? Credentials { get; init; }
    /// <summary>Runs before every grain call a silo receives; it may throw to fail the call (a fault a test injects).</summary>
    public Action<IIncomingGrainCallContext>? BeforeCall { get; set; }
    public ConcurrentDictionary<string, int> MaxConcurrent { get; } = new();
    public ConcurrentDictionary<string, int> Concurrent { get; } = new();

    TestRuntimeCluster(int[] slots, IStudyStore store)
    {
        Slots = slots;
        Store = store;
        Artifacts = Directory.CreateTempSubdirectory("study-artifacts-").FullName;
        var name = Guid.NewGuid().ToString("n");
        ByName[name] = this;
        var builder = new TestClusterBuilder((short)slots.Length);
        builder.Properties["StudyTestCluster"] = name;
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
    }

    /// <summary>The silos' --data-roots (null: any folder, as the embedded silo).</summary>
    public IReadOnlyList<string>? DataRoots { get; init; }

    public static async Task<TestRuntimeCluster> Start(int[] slots, IStudyStore? store = null, SiloCredential?[]? credentials = null,
        IReadOnlyList<string>? dataRoots = null)
    {
        var cluster = new TestRuntimeCluster(slots, store ?? new MemoryStudyStore()) { Credentials = credentials, DataRoots = dataRoots };
        await cluster.Cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The test's client: a client of the cluster, as the `study` console is.</summary>
    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>Calls made as silo <paramref name="index"/>'s own code makes them (silo-only calls included).</summary>
    public IGrainFactory SiloGrains(int index = 0) =>
        ((InProcessSiloHandle)Cluster.Silos[index]).SiloHost.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The study's snapshot once it has ended; the test fails, saying where the study stood (and
    /// <paramref name="detail"/>), when it has not ended within <paramref name="within"/>.</summary>
    public static async Task<StudySnapshot> UntilEnded(IStudyGrain study, TimeSpan within, Func<string>? detail = null)
    {
        var until = DateTime.UtcNow + within;
        StudySnapshot snapshot;
        while (!StudyStatuses.IsFinal((snapshot = await study.GetSnapshot()).Status))
        {
            Xunit.Assert.True(DateTime.UtcNow < until, $"the study did not end: {snapshot}{(detail is null ? "" : ", " + detail())}");
            await Task.Delay(100);
        }
        return snapshot;
    }

    public static int IndexOf(string siloName) => siloName == "Primary" ? 0 : int.Parse(siloName.Split('_')[1]);

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try { Directory.Delete(Artifacts, recursive: true); } catch { }
    }

    sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var owner = ByName[silo.Configuration["StudyTestCluster"]!];
            var name = silo.Configuration["Orleans:Name"]!;
            silo.UseInMemoryReminderService();
            silo.AddIncomingGrainCallFilter(context =>
            {
                owner.BeforeCall?.Invoke(context);
                return context.Invoke();
            });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.AddStudyRuntime(owner.Store, new RuntimeOptions
            {
                Slots = owner.Slots[IndexOf(name)], ThreadsPerSlot = 1, Artifacts = owner.Artifacts, DrainTimeout = TimeSpan.FromSeconds(5),
                Credential = owner.Credentials is { } credentials ? credentials[IndexOf(name)] : SiloCredential.ThisProcess,
                DataRoots = owner.DataRoots,
            });
            silo.Services.AddSingleton<ITrialTrainer>(sp => new CountingTrainer(
                new TrainerSelector(sp.GetRequiredService<ContrastiveTrialTrainer>(), sp.GetRequiredService<Study.Grains.Running.Workers.ProcessTrialTrainer>(),
                    sp.GetRequiredService<SyntheticTrialTrainer>(), sp.GetRequiredService<RuntimeOptions>()), owner, name));
        }
    }

    sealed class CountingTrainer(ITrialTrainer inner, TestRuntimeCluster owner, string silo) : ITrialTrainer
    {
        public TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control)
        {
            int now = owner.Concurrent.AddOrUpdate(silo, 1, (_, n) => n + 1);
            owner.MaxConcurrent.AddOrUpdate(silo, now, (_, max) => Math.Max(max, now));
            try { return inner.Train(assignment, device, control); }
            finally { owner.Concurrent.AddOrUpdate(silo, 0, (_, n) => n - 1); }
        }
    }
}
