using System.CommandLine;
using Npgsql;
using Study.Grains.Hosting;
using Study.Grains.Storage;

namespace Study.Client.Connection;

/// <summary>Opens the store a command names: the cluster's PostgreSQL (--cluster CONN) or the embedded SQLite file (--store PATH).</summary>
public static class StudyStores
{
    public const string DefaultStore = "studies/studies.db";

    public static readonly Option<string> Store = TypedOptions.Text("--store", "the embedded store", "PATH", DefaultStore);

    /// <summary>Also the variable STUDY_CLUSTER, which wins over a --config file and gives way to --cluster or --store on the
    /// command line.</summary>
    public static readonly Option<string?> Cluster = new("--cluster")
    {
        Description = "the cluster's PostgreSQL connection string (default: embedded)", HelpName = "CONN",
        Validators = { r => { if (r.Parent?.GetResult(Store) is { Implicit: false }) r.AddError("give --cluster or --store, not both"); } },
    };

    /// <summary>The options of a command that reads or writes studies.</summary>
    public static readonly Option[] Options = [Cluster, Store];

    public static string? ClusterOf(ParseResult parse) => parse.GetValue(Cluster);

    public static string StorePath(ParseResult parse) => parse.GetValue(Store)!;

    public static async Task<IStudyStore> Open(ParseResult parse, bool mustExist)
    {
        if (ClusterOf(parse) is { } connection)
        {
            ClusterConnection.CheckTls(); // bad TLS settings are bad input, reported before anything is opened
            return new PostgresStudyStore(await OpenCluster(connection));
        }
        var path = StorePath(parse);
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
