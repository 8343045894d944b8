using Npgsql;
using Study.Client.Cli;
using Study.Grains.Hosting;
using Study.Grains.Storage;

namespace Study.Client.Connection;

/// <summary>Opens the store a command names: the cluster's PostgreSQL (--cluster CONN) or the embedded SQLite file (--store PATH).</summary>
public static class StudyStores
{
    public const string DefaultStore = "studies/studies.db";

    public static readonly OptionSpec[] Specs =
    [
        new("cluster", "the cluster's PostgreSQL connection string (default: embedded)", ValueName: "CONN"),
        new("store", "the embedded store", ValueName: "PATH", Default: "./" + DefaultStore),
    ];

    public static string? Cluster(ParsedArguments a)
    {
        if (a.Has("cluster") && a.Has("store")) throw new UsageException("give --cluster or --store, not both");
        return a.Value("cluster") ?? Environment.GetEnvironmentVariable("STUDY_CLUSTER");
    }

    public static async Task<IStudyStore> Open(ParsedArguments a, bool mustExist)
    {
        if (Cluster(a) is { } connection)
        {
            ClusterConnection.CheckTls(); // bad TLS settings are bad input, reported before anything is opened
            return new PostgresStudyStore(await OpenCluster(connection));
        }
        var path = a.String("store", DefaultStore);
        if (mustExist && !File.Exists(path)) throw new UsageException($"--store {path}: no such store (no study has run with it)");
        var store = new SqliteStudyStore(path);
        await store.EnsureSchema();
        return store;
    }

    public static async Task<NpgsqlDataSource> OpenCluster(string connectionString)
    {
        try
        {
            return await StudyRuntimeHosting.OpenClusterAsClient(connectionString);
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new UsageException($"--cluster: cannot use the cluster database ({e.GetBaseException().Message.TrimEnd('.')})");
        }
    }
}
