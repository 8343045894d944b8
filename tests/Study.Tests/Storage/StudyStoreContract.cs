using Microsoft.Extensions.Time.Testing;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Storage;

/// <summary>One contract every store passes (the memory, SQLite and PostgreSQL stores each run it).</summary>
public abstract class StudyStoreContract : IAsyncLifetime
{
    protected IStudyStore Store { get; private set; } = null!;

    /// <summary>The store's clock: leases expire by it, so the tests move time instead of waiting.</summary>
    protected FakeTimeProvider Clock { get; } = FakeClock.New();

    protected abstract Task<IStudyStore> CreateStore();

    public async Task InitializeAsync()
    {
        Store = await CreateStore();
        await Store.EnsureSchema();
        await Store.EnsureSchema(); // idempotent
    }

    public async Task DisposeAsync() => await Store.DisposeAsync();

    static StudyRecord Study(string id, long created = 1000) => new(id, "queued", created, created, """{"dataset":"synthetic"}""");

    static TrialRecord Trial(string study, string id, int index, double? tau = 0.2) => new(study, id, index, tau, 1, TrialStatus.Queued);

    static EpochRecord Epoch(string trial, int epoch, int attempt, double loss) =>
        new("s", trial, attempt, new Study.Training.Trainer.EpochMetrics(epoch, loss, 0.8, 0.3, 5.5, 0.7, 3.2, null, 1e-3, 2.5, 1500));

    [Fact]
    public async Task CreatesAStudyOnceWithItsTrials()
    {
        Assert.True(await Store.CreateStudy(Study("s1"), [Trial("s1", "t0", 0), Trial("s1", "t1", 1, null),
            Trial("s1", "t2", 2, 0.1) with { TauMax = 1.0 }]));
        Assert.False(await Store.CreateStudy(Study("s1") with { Status = "running" }, [Trial("s1", "t9", 9)]));
        var study = await Store.GetStudy("s1");
        Assert.Equal("queued", study!.Status);
        Assert.Equal("""{"dataset":"synthetic"}""", study.SpecJson);
        var trials = await Store.GetTrials("s1");
        Assert.Equal(["t0", "t1", "t2"], trials.Select(t => t.TrialId));
        Assert.Equal((0.2, (double?)null), (trials[0].Tau, trials[0].TauMax));
        Assert.Null(trials[1].Tau);
        Assert.Equal(new Study.Grains.TauSetting(0.1, 1.0), trials[2].Setting);
        Assert.Null(await Store.GetStudy("nope"));
    }

    [Fact]
    public async Task ListsStudiesInCreationOrderAndUpdatesStatus()
    {
        await Store.CreateStudy(Study("b", 2000), []);
        await Store.CreateStudy(Study("a", 1000), []);
        Assert.Equal(["a", "b"], (await Store.ListStudies()).Select(s => s.StudyId));
        await Store.SetStudyStatus("a", "completed", """{"tau":0.3}""", null);
        await Store.RequestCancel("b");
        var a = await Store.GetStudy("a");
        Assert.Equal("completed", a!.Status);
        Assert.Equal("""{"tau":0.3}""", a.BestJson);
        Assert.True((await Store.GetStudy("b"))!.CancelRequested);
    }

    [Fact]
    public async Task TrialUpdatesAreFencedByAttempt()
    {
        await Store.CreateStudy(Study("s"), [Trial("s", "t", 0)]);
        var trial = (await Store.GetTrials("s"))[0];
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 1, Silo = "a" }, expectedAttempt: 0));
        Assert.False(await Store.UpdateTrial(trial with { Status = TrialStatus.Completed, Attempt = 1 }, expectedAttempt: 0));
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Completed, Attempt = 1, MetricsJson = "{}", DurationSeconds = 2.5, StartedMs = 77,
            Device = "cuda:1" }, expectedAttempt: 1));
        var stored = (await Store.GetTrials("s"))[0];
        Assert.Equal((TrialStatus.Completed, 1, "{}", 2.5, 77L, "cuda:1"),
            (stored.Status, stored.Attempt, stored.MetricsJson, stored.DurationSeconds, stored.StartedMs, stored.Device));
    }

    [Fact]
    public async Task TrialUpdatesCanBeFencedByStatusToo()
    {
        // Issue 23: two coordinator activations both at attempt 1; one has moved the trial back to the queue, so the
        // other's write from the running state it last saw is refused.
        await Store.CreateStudy(Study("s"), [Trial("s", "t", 0)]);
        var trial = (await Store.GetTrials("s"))[0];
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 1, Silo = "a" }, 0, TrialStatus.Queued));
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Queued, Attempt = 1, Restarts = 1 }, 1, TrialStatus.Running));
        Assert.False(await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 1, EpochsCompleted = 3 }, 1, TrialStatus.Running));
        Assert.False(await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 2, Silo = "b" }, 1, TrialStatus.Running));
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 2, Silo = "b", Restarts = 1 }, 1, TrialStatus.Queued));
        var stored = (await Store.GetTrials("s"))[0];
        Assert.Equal((TrialStatus.Running, 2, "b", 1, 0), (stored.Status, stored.Attempt, stored.Silo, stored.Restarts, stored.EpochsCompleted));
    }

    [Fact]
    public async Task EpochsAreIdempotentPerTrialEpochAndAttemptAndFenced()
    {
        await Store.CreateStudy(Study("s"), [Trial("s", "t", 0)]);
        var trial = (await Store.GetTrials("s"))[0];
        await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 1 }, 0);
        Assert.True(await Store.RecordEpoch(Epoch("t", 1, 1, loss: 1)));
        Assert.False(await Store.RecordEpoch(Epoch("t", 1, 1, loss: 9))); // a repeat changes nothing
        Assert.False(await Store.RecordEpoch(Epoch("t", 2, 0, loss: 9))); // a stale attempt
        await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 2 }, 1);
        Assert.False(await Store.RecordEpoch(Epoch("t", 2, 1, loss: 9))); // the old attempt, now stale
        Assert.True(await Store.RecordEpoch(Epoch("t", 2, 2, loss: 2)));
        Assert.True(await Store.RecordEpoch(Epoch("t", 1, 2, loss: 1.5))); // a later attempt redoes an epoch
        var epochs = await Store.GetEpochs("s");
        Assert.Equal([Epoch("t", 1, 2, loss: 1.5), Epoch("t", 2, 2, loss: 2)], epochs);
    }

    [Fact]
    public async Task ProgressIsReplacedAndFencedByAttempt()
    {
        await Store.CreateStudy(Study("s"), [Trial("s", "t", 0), Trial("s", "u", 1)]);
        var trial = (await Store.GetTrials("s"))[0];
        await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 2 }, 0);
        var progress = new TrialProgressRecord("s", "t", 2, "training", 1, 10, 39, 4.25, 1500.5, 123, "cuda:3");
        await Store.RecordProgress(progress);
        await Store.RecordProgress(progress with { Step = 20, Loss = 4.0, UpdatedMs = 456 });
        await Store.RecordProgress(progress with { Attempt = 1, Step = 30 }); // a stale attempt
        await Store.RecordProgress(progress with { TrialId = "u", Attempt = 1 }); // not u's attempt (0)
        var stored = Assert.Single(await Store.GetProgress("s"));
        Assert.Equal(progress with { Step = 20, Loss = 4.0, UpdatedMs = 456 }, stored);
        Assert.Empty(await Store.GetProgress("other"));
    }

    [Fact]
    public async Task ArtifactsRoundTripAndAreFenced()
    {
        await Store.CreateStudy(Study("s"), [Trial("s", "t", 0)]);
        var trial = (await Store.GetTrials("s"))[0];
        await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 3 }, 0);
        var artifacts = new ArtifactRecord("s", "t", 3, 2, [0.5f, -1f, 0.25f, 2f], [7, 3], """{"bins":[]}""");
        Assert.False(await Store.SaveArtifacts(artifacts with { Attempt = 2 }));
        Assert.Null(await Store.GetArtifacts("s", "t"));
        Assert.True(await Store.SaveArtifacts(artifacts));
        var stored = await Store.GetArtifacts("s", "t");
        Assert.Equal(artifacts.Embeddings, stored!.Embeddings);
        Assert.Equal(artifacts.Labels, stored.Labels);
        Assert.Equal((3, 2, """{"bins":[]}"""), (stored.Attempt, stored.EmbeddingDimension, stored.SimilaritiesJson));
    }

    [Fact]
    public async Task ATrialQueuedAgainOrEndedRefusesItsAttemptsLateReports()
    {
        // Issue 10, defect 3: a trial whose silo died is queued again with its attempt number unchanged until its
        // next start; the old attempt's late epoch, progress and artifacts must not land in between.
        await Store.CreateStudy(Study("s"), [Trial("s", "t", 0)]);
        var trial = (await Store.GetTrials("s"))[0];
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Running, Attempt = 1 }, 0));
        Assert.True(await Store.RecordEpoch(Epoch("t", 1, 1, loss: 1)));
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Queued, Attempt = 1, Restarts = 1 }, 1));
        Assert.False(await Store.RecordEpoch(Epoch("t", 2, 1, loss: 9)));
        await Store.RecordProgress(new TrialProgressRecord("s", "t", 1, "training", 2, 5, 10, 9, 1, 1, "cpu"));
        Assert.False(await Store.SaveArtifacts(new ArtifactRecord("s", "t", 1, 1, [1f], [0], "{}")));
        Assert.Equal([1], (await Store.GetEpochs("s")).Select(e => e.Epoch));
        Assert.Empty(await Store.GetProgress("s"));
        Assert.Null(await Store.GetArtifacts("s", "t"));
        // Ended: the same.
        Assert.True(await Store.UpdateTrial(trial with { Status = TrialStatus.Completed, Attempt = 1 }, 1));
        Assert.False(await Store.RecordEpoch(Epoch("t", 3, 1, loss: 9)));
        Assert.False(await Store.SaveArtifacts(new ArtifactRecord("s", "t", 1, 1, [1f], [0], "{}")));
    }

    [Fact]
    public async Task OneLeaseHolderAtATime()
    {
        await Store.CreateStudy(Study("s"), []);
        var ttl = TimeSpan.FromMinutes(1);
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p1", ttl, _ => false)).Outcome);
        var other = await Store.TryAcquireLease("s", "p2", ttl, _ => false);
        Assert.Equal((LeaseOutcome.HeldByOther, "p1"), (other.Outcome, other.Owner));
        Assert.True(await Store.RenewLease("s", "p1", ttl));
        Assert.False(await Store.RenewLease("s", "p2", ttl));
        // An owner known to be gone (a killed process) loses the lease at once.
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p2", ttl, owner => owner == "p1")).Outcome);
        await Store.ReleaseLease("s", "p2");
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p3", ttl, _ => false)).Outcome);
        // An expired lease is free.
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p4", TimeSpan.FromMilliseconds(-1), _ => true)).Outcome);
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p5", ttl, _ => false)).Outcome);
        Assert.Equal(LeaseOutcome.NoSuchStudy, (await Store.TryAcquireLease("nope", "p1", ttl, _ => false)).Outcome);
    }

    [Fact]
    public async Task ALeaseExpiresWhenItsTimeHasPassedUnlessRenewed()
    {
        await Store.CreateStudy(Study("s"), []);
        var ttl = TimeSpan.FromSeconds(30);
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p1", ttl, _ => false)).Outcome);
        Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(LeaseOutcome.HeldByOther, (await Store.TryAcquireLease("s", "p2", ttl, _ => false)).Outcome);
        Assert.True(await Store.RenewLease("s", "p1", ttl)); // now good until 59 s
        Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(LeaseOutcome.HeldByOther, (await Store.TryAcquireLease("s", "p2", ttl, _ => false)).Outcome);
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(LeaseOutcome.Acquired, (await Store.TryAcquireLease("s", "p2", ttl, _ => false)).Outcome);
        Assert.False(await Store.RenewLease("s", "p1", ttl));
        Assert.Equal("p2", (await Store.GetStudy("s"))!.LeaseOwner);
    }

    [Fact]
    public async Task ConcurrentWritesAllLand()
    {
        await Store.CreateStudy(Study("s"), []);
        var trials = Enumerable.Range(0, 300).Select(i => Trial("s", $"t{i:000}", i)).ToList();
        await Task.WhenAll(trials.Select(t => Store.AddTrials([t])));
        var stored = await Store.GetTrials("s");
        await Task.WhenAll(stored.Select(t => Store.UpdateTrial(t with { Attempt = 1, Status = TrialStatus.Running }, 0)));
        await Task.WhenAll(stored.Select(t => Store.RecordEpoch(Epoch(t.TrialId, 1, 1, loss: 1))));
        Assert.Equal(300, (await Store.GetTrials("s")).Count(t => t.Status == TrialStatus.Running));
        Assert.Equal(300, (await Store.GetEpochs("s")).Count);
    }
}

[Trait(Tier.Key, Tier.Fast)]
public sealed class MemoryStudyStoreTests : StudyStoreContract
{
    protected override Task<IStudyStore> CreateStore() => Task.FromResult<IStudyStore>(new MemoryStudyStore(Clock));
}

[Trait(Tier.Key, Tier.Fast)]
public sealed class SqliteStudyStoreTests : StudyStoreContract, IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-sqlite-").FullName;

    protected override Task<IStudyStore> CreateStore() =>
        Task.FromResult<IStudyStore>(new SqliteStudyStore(Path.Combine(dir, "nested", "studies.db"), Clock));

    public void Dispose() => Directory.Delete(dir, recursive: true);
}

[Collection(Infrastructure.PostgresCollection.Name)]
public sealed class PostgresStudyStoreTests(Infrastructure.PostgresServer server) : StudyStoreContract
{
    protected override Task<IStudyStore> CreateStore() =>
        Task.FromResult<IStudyStore>(new PostgresStudyStore(Npgsql.NpgsqlDataSource.Create(server.CreateDatabase()), Clock));
}
