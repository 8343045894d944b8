using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Storage;

/// <summary>
/// A store written before trials recorded their device and τ+ (the trials and progress tables without the device and
/// tau_max columns) gains the columns when a newer version opens it; what it held is kept, and the new columns are
/// written and read.
/// </summary>
public abstract class StoreUpgradeContract
{
    const string OldTrials = """
        CREATE TABLE trials (
            study_id TEXT NOT NULL, trial_id TEXT NOT NULL, idx INTEGER NOT NULL, tau DOUBLE PRECISION, seed BIGINT NOT NULL,
            status TEXT NOT NULL, attempt INTEGER NOT NULL, restarts INTEGER NOT NULL, silo TEXT,
            epochs_completed INTEGER NOT NULL, checkpoint_path TEXT, started_ms BIGINT, duration_seconds DOUBLE PRECISION NOT NULL,
            error TEXT, metrics_json TEXT, PRIMARY KEY (study_id, trial_id))
        """;

    const string OldProgress = """
        CREATE TABLE progress (
            study_id TEXT NOT NULL, trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, phase TEXT NOT NULL, epoch INTEGER NOT NULL,
            step INTEGER NOT NULL, steps_per_epoch INTEGER NOT NULL, loss DOUBLE PRECISION NOT NULL,
            images_per_second DOUBLE PRECISION NOT NULL, updated_ms BIGINT NOT NULL, PRIMARY KEY (study_id, trial_id))
        """;

    const string OldTrial = """
        INSERT INTO trials VALUES ('s', 't', 0, 0.3, 1, 'completed', 1, 0, 'silo-a', 2, NULL, 5, 12.5, NULL, '{"uniformity":3.1}')
        """;

    protected abstract DbConnection OpenRaw();
    protected abstract IStudyStore OpenStore();

    [Fact]
    public async Task AnOldStoreGainsTheDeviceColumnsAndKeepsItsRows()
    {
        await using (var raw = OpenRaw())
        {
            await raw.OpenAsync();
            foreach (var sql in new[] { OldTrials, OldProgress, OldTrial })
            {
                await using var command = raw.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }
        }
        await using var store = OpenStore();
        await store.EnsureSchema();
        await store.EnsureSchema();
        var old = Assert.Single(await store.GetTrials("s"));
        Assert.Equal((TrialStatus.Completed, "silo-a", 12.5, """{"uniformity":3.1}""", (string?)null),
            (old.Status, old.Silo, old.DurationSeconds, old.MetricsJson, old.Device));
        Assert.Null(old.TauMax);
        Assert.True(await store.UpdateTrial(old with { Device = "cuda:0" }, expectedAttempt: 1));
        Assert.Equal("cuda:0", (await store.GetTrials("s"))[0].Device);
        // The cosine schedule's τ+ (tau_max, a number) came later still.
        Assert.True(await store.UpdateTrial(old with { Device = "cuda:0", TauMax = 1.5 }, expectedAttempt: 1));
        Assert.Equal(1.5, (await store.GetTrials("s"))[0].TauMax);
        Assert.True(await store.UpdateTrial(old with { Device = "cuda:0" }, expectedAttempt: 1));
        // Progress is taken from a running attempt only (issue 10): run the old trial again to write some.
        Assert.True(await store.UpdateTrial(old with { Device = "cuda:0", Status = TrialStatus.Running }, expectedAttempt: 1));
        await store.RecordProgress(new TrialProgressRecord("s", "t", 1, "training", 1, 5, 10, 4.5, 900, 1, "cuda:0"));
        Assert.Equal("cuda:0", Assert.Single(await store.GetProgress("s")).Device);
    }
}

[Trait(Tier.Key, Tier.Fast)]
public sealed class SqliteStoreUpgradeTests : StoreUpgradeContract, IDisposable
{
    readonly string path = Path.Combine(Directory.CreateTempSubdirectory("study-upgrade-").FullName, "studies.db");

    protected override DbConnection OpenRaw() => new SqliteConnection($"Data Source={path}");
    protected override IStudyStore OpenStore() => new SqliteStudyStore(path);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}

[Collection(Infrastructure.PostgresCollection.Name)]
public sealed class PostgresStoreUpgradeTests(Infrastructure.PostgresServer server) : StoreUpgradeContract
{
    readonly string connection = server.CreateDatabase();

    protected override DbConnection OpenRaw() => new NpgsqlConnection(connection);
    protected override IStudyStore OpenStore() => new PostgresStudyStore(NpgsqlDataSource.Create(connection));
}
