using System.Data;
using System.Data.Common;
using System.Runtime.InteropServices;

namespace Study.Grains.Storage;

/// <summary>
/// The store on a SQL database, in SQL that SQLite and PostgreSQL both speak; the two differ only in how a
/// connection is opened, a few column types, and row locking. Writes go through a <see cref="WriteBatcher"/>.
/// </summary>
public abstract class SqlStudyStore : IStudyStore
{
    readonly WriteBatcher writes;
    readonly TimeProvider clock;

    /// <param name="clock">what leases expire by (tests pass a fake one)</param>
    protected SqlStudyStore(TimeProvider? clock) => (writes, this.clock) = (new WriteBatcher(OpenAsync, BeginWrite), clock ?? TimeProvider.System);

    protected abstract Task<DbConnection> OpenAsync();
    protected abstract DbTransaction BeginWrite(DbConnection connection);
    /// <summary>Column type of binary data.</summary>
    protected abstract string BlobType { get; }
    /// <summary>What makes a read inside a write transaction lock its row ("FOR UPDATE"; empty where the whole database is locked).</summary>
    protected abstract string LockRow { get; }

    long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task EnsureSchema(CancellationToken cancel = default)
    {
        await using var connection = await OpenAsync();
        foreach (var statement in Schema()) await Run(connection, statement, cancel);
        foreach (var (table, column, type) in AddedColumns)
        {
            if (await HasColumn(connection, table, column, cancel)) continue;
            // Two silos opening an old store at once: one adds the column, the other's ALTER fails finding it there.
            try { await Run(connection, $"ALTER TABLE {table} ADD COLUMN {column} {type}", cancel); }
            catch (DbException) when (!cancel.IsCancellationRequested)
            {
                if (!await HasColumn(connection, table, column, cancel)) throw;
            }
        }
    }

    static async Task<bool> HasColumn(DbConnection connection, string table, string column, CancellationToken cancel)
    {
        try { await Run(connection, $"SELECT {column} FROM {table} WHERE 1 = 0", cancel); return true; }
        catch (DbException) { return false; }
    }

    /// <summary>Columns added after the first release: a store made before gets them on open, nothing else changes.</summary>
    static readonly (string Table, string Column, string Type)[] AddedColumns =
        [("trials", "device", "TEXT"), ("progress", "device", "TEXT"), ("trials", "tau_max", "DOUBLE PRECISION")];

    static async Task Run(DbConnection connection, string sql, CancellationToken cancel)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancel);
    }

    IEnumerable<string> Schema() =>
    [
        """
        CREATE TABLE IF NOT EXISTS studies (
            study_id TEXT PRIMARY KEY, status TEXT NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL,
            spec_json TEXT NOT NULL, best_json TEXT, error TEXT, cancel_requested INTEGER NOT NULL DEFAULT 0,
            lease_owner TEXT, lease_expires_ms BIGINT)
        """,
        """
        CREATE TABLE IF NOT EXISTS trials (
            study_id TEXT NOT NULL, trial_id TEXT NOT NULL, idx INTEGER NOT NULL, tau DOUBLE PRECISION, seed BIGINT NOT NULL,
            status TEXT NOT NULL, attempt INTEGER NOT NULL, restarts INTEGER NOT NULL, silo TEXT,
            epochs_completed INTEGER NOT NULL, checkpoint_path TEXT, started_ms BIGINT, duration_seconds DOUBLE PRECISION NOT NULL,
            error TEXT, metrics_json TEXT, device TEXT, tau_max DOUBLE PRECISION, PRIMARY KEY (study_id, trial_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS epochs (
            study_id TEXT NOT NULL, trial_id TEXT NOT NULL, epoch INTEGER NOT NULL, attempt INTEGER NOT NULL,
            metrics_json TEXT NOT NULL, PRIMARY KEY (study_id, trial_id, epoch))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS artifacts (
            study_id TEXT NOT NULL, trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, embedding_dim INTEGER NOT NULL,
            embeddings {BlobType} NOT NULL, labels {BlobType} NOT NULL, similarities_json TEXT NOT NULL,
            PRIMARY KEY (study_id, trial_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS progress (
            study_id TEXT NOT NULL, trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, phase TEXT NOT NULL, epoch INTEGER NOT NULL,
            step INTEGER NOT NULL, steps_per_epoch INTEGER NOT NULL, loss DOUBLE PRECISION NOT NULL,
            images_per_second DOUBLE PRECISION NOT NULL, updated_ms BIGINT NOT NULL, device TEXT, PRIMARY KEY (study_id, trial_id))
        """,
    ];

    public async Task<bool> CreateStudy(StudyRecord study, IReadOnlyList<TrialRecord> trials) =>
        await writes.Enqueue(async (c, t) =>
        {
            int created = await Execute(c, t, """
                INSERT INTO studies (study_id, status, created_ms, updated_ms, spec_json, best_json, error, cancel_requested)
                VALUES (@study, @status, @created, @updated, @spec, @best, @error, 0) ON CONFLICT (study_id) DO NOTHING
                """, ("study", study.StudyId), ("status", study.Status), ("created", study.CreatedMs), ("updated", study.UpdatedMs),
                ("spec", study.SpecJson), ("best", study.BestJson), ("error", study.Error));
            if (created == 0) return 0;
            foreach (var trial in trials) await InsertTrial(c, t, trial);
            return 1;
        }) == 1;

    public async Task<StudyRecord?> GetStudy(string studyId) =>
        (await Query(StudySelect + " WHERE study_id = @study", ReadStudy, ("study", studyId))).FirstOrDefault();

    public async Task<IReadOnlyList<StudyRecord>> ListStudies() => await Query(StudySelect + " ORDER BY created_ms, study_id", ReadStudy);

    const string StudySelect =
        "SELECT study_id, status, created_ms, updated_ms, spec_json, best_json, error, cancel_requested, lease_owner, lease_expires_ms FROM studies";

    static StudyRecord ReadStudy(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), NullableString(r, 5), NullableString(r, 6),
        Convert.ToInt64(r.GetValue(7)) != 0, NullableString(r, 8), r.IsDBNull(9) ? null : r.GetInt64(9));

    public Task SetStudyStatus(string studyId, string status, string? bestJson, string? error) =>
        writes.Enqueue((c, t) => Execute(c, t,
            "UPDATE studies SET status = @status, best_json = @best, error = @error, updated_ms = @now WHERE study_id = @study",
            ("status", status), ("best", bestJson), ("error", error), ("now", Now), ("study", studyId)));

    public Task RequestCancel(string studyId) =>
        writes.Enqueue((c, t) => Execute(c, t, "UPDATE studies SET cancel_requested = 1, updated_ms = @now WHERE study_id = @study",
            ("now", Now), ("study", studyId)));

    public async Task<LeaseResult> TryAcquireLease(string studyId, string owner, TimeSpan ttl, Func<string, bool> ownerIsGone)
    {
        LeaseResult result = new(LeaseOutcome.NoSuchStudy, null);
        await writes.Enqueue(async (c, t) =>
        {
            var current = await Query(c, t, $"SELECT lease_owner, lease_expires_ms FROM studies WHERE study_id = @study {LockRow}",
                r => (Owner: NullableString(r, 0), Expires: r.IsDBNull(1) ? 0 : r.GetInt64(1)), ("study", studyId));
            if (current.Count == 0) return 0;
            var (held, expires) = current[0];
            if (held is not null && held != owner && expires >= Now && !ownerIsGone(held))
            {
                result = new LeaseResult(LeaseOutcome.HeldByOther, held);
                return 0;
            }
            await Execute(c, t, "UPDATE studies SET lease_owner = @owner, lease_expires_ms = @expires WHERE study_id = @study",
                ("owner", owner), ("expires", Now + (long)ttl.TotalMilliseconds), ("study", studyId));
            result = new LeaseResult(LeaseOutcome.Acquired, owner);
            return 1;
        });
        return result;
    }

    public async Task<bool> RenewLease(string studyId, string owner, TimeSpan ttl) =>
        await writes.Enqueue((c, t) => Execute(c, t,
            "UPDATE studies SET lease_expires_ms = @expires WHERE study_id = @study AND lease_owner = @owner",
            ("expires", Now + (long)ttl.TotalMilliseconds), ("study", studyId), ("owner", owner))) == 1;

    public Task ReleaseLease(string studyId, string owner) =>
        writes.Enqueue((c, t) => Execute(c, t,
            "UPDATE studies SET lease_owner = NULL, lease_expires_ms = NULL WHERE study_id = @study AND lease_owner = @owner",
            ("study", studyId), ("owner", owner)));

    public Task AddTrials(IReadOnlyList<TrialRecord> trials) =>
        writes.Enqueue(async (c, t) =>
        {
            foreach (var trial in trials) await InsertTrial(c, t, trial);
            return trials.Count;
        });

    static Task<int> InsertTrial(DbConnection c, DbTransaction t, TrialRecord r) => Execute(c, t, """
        INSERT INTO trials (study_id, trial_id, idx, tau, seed, status, attempt, restarts, silo, epochs_completed,
                            checkpoint_path, started_ms, duration_seconds, error, metrics_json, device, tau_max)
        VALUES (@study, @trial, @idx, @tau, @seed, @status, @attempt, @restarts, @silo, @epochs, @checkpoint, @started,
                @duration, @error, @metrics, @device, @tau_max)
        ON CONFLICT (study_id, trial_id) DO NOTHING
        """, TrialParameters(r));

    static (string, object?)[] TrialParameters(TrialRecord r) =>
    [
        ("study", r.StudyId), ("trial", r.TrialId), ("idx", r.Index), ("tau", (r.Tau, DbType.Double)), ("seed", r.Seed),
        ("status", r.Status.Name()), ("attempt", r.Attempt), ("restarts", r.Restarts), ("silo", r.Silo), ("epochs", r.EpochsCompleted),
        ("checkpoint", r.CheckpointPath), ("started", (r.StartedMs, DbType.Int64)), ("duration", r.DurationSeconds),
        ("error", r.Error), ("metrics", r.MetricsJson), ("device", r.Device), ("tau_max", (r.TauMax, DbType.Double)),
    ];

    public async Task<IReadOnlyList<TrialRecord>> GetTrials(string studyId) => await Query("""
        SELECT study_id, trial_id, idx, tau, seed, status, attempt, restarts, silo, epochs_completed, checkpoint_path,
               started_ms, duration_seconds, error, metrics_json, device, tau_max
        FROM trials WHERE study_id = @study ORDER BY idx
        """, r => new TrialRecord(
            r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetDouble(3), r.GetInt64(4), TrialStatuses.Parse(r.GetString(5)),
            r.GetInt32(6), r.GetInt32(7), NullableString(r, 8), r.GetInt32(9), NullableString(r, 10),
            r.IsDBNull(11) ? null : r.GetInt64(11), r.GetDouble(12), NullableString(r, 13), NullableString(r, 14), NullableString(r, 15),
            r.IsDBNull(16) ? null : r.GetDouble(16)),
        ("study", studyId));

    public async Task<bool> UpdateTrial(TrialRecord trial, int expectedAttempt, TrialStatus? expectedStatus = null) =>
        await writes.Enqueue((c, t) => Execute(c, t, """
            UPDATE trials SET idx = @idx, tau = @tau, seed = @seed, status = @status, attempt = @attempt, restarts = @restarts,
                silo = @silo, epochs_completed = @epochs, checkpoint_path = @checkpoint, started_ms = @started,
                duration_seconds = @duration, error = @error, metrics_json = @metrics, device = @device, tau_max = @tau_max
            WHERE study_id = @study AND trial_id = @trial AND attempt = @expected AND status = COALESCE(@expected_status, status)
            """, [.. TrialParameters(trial), ("expected", expectedAttempt), ("expected_status", expectedStatus?.Name())])) == 1;

    public async Task<bool> RecordEpoch(EpochRecord e) =>
        await writes.Enqueue((c, t) => Execute(c, t, """
            INSERT INTO epochs (study_id, trial_id, epoch, attempt, metrics_json)
            SELECT @study, @trial, @epoch, @attempt, @metrics
            WHERE EXISTS (SELECT 1 FROM trials WHERE study_id = @study AND trial_id = @trial AND attempt = @attempt AND status = 'running')
            ON CONFLICT (study_id, trial_id, epoch) DO UPDATE SET attempt = excluded.attempt, metrics_json = excluded.metrics_json
            WHERE epochs.attempt < excluded.attempt
            """, ("study", e.StudyId), ("trial", e.TrialId), ("epoch", e.Epoch), ("attempt", e.Attempt), ("metrics", EpochMetricsJson.Write(e)))) == 1;

    public async Task<IReadOnlyList<EpochRecord>> GetEpochs(string studyId) => await Query(
        "SELECT study_id, trial_id, epoch, attempt, metrics_json FROM epochs WHERE study_id = @study ORDER BY trial_id, epoch",
        r => new EpochRecord(r.GetString(0), r.GetString(1), r.GetInt32(3), EpochMetricsJson.Read(r.GetString(4)) with { Epoch = r.GetInt32(2) }),
        ("study", studyId));

    public Task RecordProgress(TrialProgressRecord p) =>
        writes.Enqueue((c, t) => Execute(c, t, """
            INSERT INTO progress (study_id, trial_id, attempt, phase, epoch, step, steps_per_epoch, loss, images_per_second, updated_ms, device)
            SELECT @study, @trial, @attempt, @phase, @epoch, @step, @steps, @loss, @rate, @updated, @device
            WHERE EXISTS (SELECT 1 FROM trials WHERE study_id = @study AND trial_id = @trial AND attempt = @attempt AND status = 'running')
            ON CONFLICT (study_id, trial_id) DO UPDATE SET attempt = excluded.attempt, phase = excluded.phase, epoch = excluded.epoch,
                step = excluded.step, steps_per_epoch = excluded.steps_per_epoch, loss = excluded.loss,
                images_per_second = excluded.images_per_second, updated_ms = excluded.updated_ms, device = excluded.device
            WHERE progress.attempt <= excluded.attempt
            """, ("study", p.StudyId), ("trial", p.TrialId), ("attempt", p.Attempt), ("phase", p.Phase), ("epoch", p.Epoch),
            ("step", p.Step), ("steps", p.StepsPerEpoch), ("loss", p.Loss), ("rate", p.ImagesPerSecond), ("updated", p.UpdatedMs),
            ("device", p.Device)));

    public async Task<IReadOnlyList<TrialProgressRecord>> GetProgress(string studyId) => await Query(
        "SELECT trial_id, attempt, phase, epoch, step, steps_per_epoch, loss, images_per_second, updated_ms, device FROM progress WHERE study_id = @study",
        r => new TrialProgressRecord(studyId, r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5),
            r.GetDouble(6), r.GetDouble(7), r.GetInt64(8), NullableString(r, 9)), ("study", studyId));

    public async Task<bool> SaveArtifacts(ArtifactRecord a) =>
        await writes.Enqueue((c, t) => Execute(c, t, """
            INSERT INTO artifacts (study_id, trial_id, attempt, embedding_dim, embeddings, labels, similarities_json)
            SELECT @study, @trial, @attempt, @dim, @embeddings, @labels, @similarities
            WHERE EXISTS (SELECT 1 FROM trials WHERE study_id = @study AND trial_id = @trial AND attempt = @attempt AND status = 'running')
            ON CONFLICT (study_id, trial_id) DO UPDATE SET attempt = excluded.attempt, embedding_dim = excluded.embedding_dim,
                embeddings = excluded.embeddings, labels = excluded.labels, similarities_json = excluded.similarities_json
            WHERE artifacts.attempt <= excluded.attempt
            """, ("study", a.StudyId), ("trial", a.TrialId), ("attempt", a.Attempt), ("dim", a.EmbeddingDimension),
            ("embeddings", MemoryMarshal.AsBytes(a.Embeddings.AsSpan()).ToArray()), ("labels", MemoryMarshal.AsBytes(a.Labels.AsSpan()).ToArray()),
            ("similarities", a.SimilaritiesJson))) == 1;

    public async Task<ArtifactRecord?> GetArtifacts(string studyId, string trialId) => (await Query(
        "SELECT attempt, embedding_dim, embeddings, labels, similarities_json FROM artifacts WHERE study_id = @study AND trial_id = @trial",
        r => new ArtifactRecord(studyId, trialId, r.GetInt32(0), r.GetInt32(1),
            MemoryMarshal.Cast<byte, float>(((byte[])r.GetValue(2)).AsSpan()).ToArray(),
            MemoryMarshal.Cast<byte, long>(((byte[])r.GetValue(3)).AsSpan()).ToArray(), r.GetString(4)),
        ("study", studyId), ("trial", trialId))).FirstOrDefault();

    // ---- ADO.NET plumbing ----

    static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            if (value is ValueTuple<double?, DbType> d) { parameter.DbType = d.Item2; parameter.Value = d.Item1 is { } x ? x : DBNull.Value; }
            else if (value is ValueTuple<long?, DbType> l) { parameter.DbType = l.Item2; parameter.Value = l.Item1 is { } x ? x : DBNull.Value; }
            else if (value is null) { parameter.DbType = DbType.String; parameter.Value = DBNull.Value; }
            else parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    static async Task<int> Execute(DbConnection c, DbTransaction t, string sql, params (string, object?)[] parameters)
    {
        await using var command = Command(c, t, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    static async Task<List<T>> Query<T>(DbConnection c, DbTransaction? t, string sql, Func<DbDataReader, T> read, params (string, object?)[] parameters)
    {
        await using var command = Command(c, t, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    async Task<List<T>> Query<T>(string sql, Func<DbDataReader, T> read, params (string, object?)[] parameters)
    {
        await using var connection = await OpenAsync();
        return await Query(connection, null, sql, read, parameters);
    }

    public virtual async ValueTask DisposeAsync() { await writes.DisposeAsync(); GC.SuppressFinalize(this); }
}
