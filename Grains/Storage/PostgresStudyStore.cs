using System.Data;
using System.Data.Common;
using Npgsql;

namespace Study.Grains.Storage;

/// <summary>The cluster store on PostgreSQL (the same database as the cluster's membership and reminders).</summary>
public sealed class PostgresStudyStore(NpgsqlDataSource dataSource, TimeProvider? clock = null) : SqlStudyStore(clock)
{
    protected override string BlobType => "BYTEA";
    protected override string LockRow => "FOR UPDATE";

    protected override async Task<DbConnection> OpenAsync() => await dataSource.OpenConnectionAsync();

    protected override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction(IsolationLevel.ReadCommitted);
}
