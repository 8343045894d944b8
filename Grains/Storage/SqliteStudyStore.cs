using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Study.Grains.Storage;

/// <summary>
/// The embedded store: one SQLite file (WAL journal, so readers in other processes do not block the writer, and a
/// commit survives the process being killed).
/// </summary>
public sealed class SqliteStudyStore : SqlStudyStore
{
    readonly string connectionString;

    public SqliteStudyStore(string path, TimeProvider? clock = null) : base(clock)
    {
        Path = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
    }

    public string Path { get; }

    protected override string BlobType => "BLOB";
    protected override string LockRow => "";

    protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    // IMMEDIATE: take the write lock at BEGIN, so two processes never both read-then-write (the lease depends on it).
    protected override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
