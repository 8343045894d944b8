using Npgsql;

namespace Study.Grains.Storage;

/// <summary>
/// Creates, when missing, everything a cluster keeps in PostgreSQL: Orleans' membership and reminder tables with
/// their query texts (Sql/orleans-postgres.sql), the study store's tables and, given its password, the clients'
/// read-only role (<see cref="PostgresClientRole"/>). Silos alone call it, at start; an advisory lock keeps silos
/// that start together from racing.
/// </summary>
public static class PostgresSchema
{
    const long LockKey = 0x57_75_64_79; // any constant the silos agree on

    public static async Task Ensure(NpgsqlDataSource dataSource, string? clientPassword, CancellationToken cancel = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await Execute(connection, $"SELECT pg_advisory_lock({LockKey})", cancel);
        try
        {
            await Execute(connection, OrleansScript(), cancel);
            await using var store = new PostgresStudyStore(dataSource);
            await store.EnsureSchema(cancel);
            if (clientPassword is not null) await PostgresClientRole.Ensure(connection, clientPassword, cancel);
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancel);
    }

    static string OrleansScript()
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream("Study.Grains.Storage.Sql.orleans-postgres.sql")
            ?? throw new InvalidOperationException("the Orleans PostgreSQL script is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
