using Npgsql;

namespace Study.Grains.Storage;

/// <summary>
/// The database role of a cluster's clients (docs/RELIABILITY.md, "Who may write what"): it reads the study tables and
/// finds the gateways in Orleans' membership table, and writes nothing. Every change a client asks for (a new study,
/// a cancel, a resume) goes through a grain. Silos create the role and keep its password and grants current
/// (--client-password); clients connect with Username=study_client.
/// </summary>
public static class PostgresClientRole
{
    public const string Name = "study_client";

    /// <summary>What a client reads: the study store and what Orleans' gateway list needs.</summary>
    static readonly string[] Readable = ["studies", "trials", "epochs", "artifacts", "progress", "OrleansQuery", "OrleansMembershipTable"];

    /// <summary>Creates the role when missing, sets its password and limits and grants it reading only. Runs
    /// inside the schema's advisory lock; roles are shared by every database of the server, so a role that another
    /// database's silo creates at the same moment is taken as it is.</summary>
    public static async Task Ensure(NpgsqlConnection connection, string password, CancellationToken cancel)
    {
        // DDL takes no parameters: the password travels as a setting of this session and is quoted by format(%L).
        await using (var set = new NpgsqlCommand("SELECT set_config('study.client_password', @password, false)", connection))
        {
            set.Parameters.AddWithValue("password", password);
            await set.ExecuteNonQueryAsync(cancel);
        }
        var sql = $"""
            DO $$
            BEGIN
              BEGIN
                CREATE ROLE {Name} LOGIN;
              EXCEPTION WHEN duplicate_object THEN NULL;
              END;
              EXECUTE format('ALTER ROLE {Name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                             current_setting('study.client_password'));
            END $$;
            REVOKE ALL ON {string.Join(", ", Writable)} FROM {Name};
            GRANT SELECT ON {string.Join(", ", Readable)} TO {Name};
            SELECT set_config('study.client_password', '', false);
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>Every table of the schema: the role may have been granted more by hand; it keeps reading only.</summary>
    static IEnumerable<string> Writable => Readable.Concat(["OrleansMembershipVersionTable", "OrleansRemindersTable"]);

    /// <summary>Whether the silos have created the schema yet (a client never creates it).</summary>
    public static async Task<bool> SchemaExists(NpgsqlDataSource dataSource, CancellationToken cancel = default)
    {
        await using var command = dataSource.CreateCommand("SELECT to_regclass('studies') IS NOT NULL AND to_regclass('orleansmembershiptable') IS NOT NULL");
        return await command.ExecuteScalarAsync(cancel) is true;
    }
}
