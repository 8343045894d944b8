using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Study.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server (Debian's, installed by ./test) started for the test run in a temporary folder on a
/// free port, with trust authentication on loopback for every role but the clients' (study_client), which must give
/// its password; stopped and deleted at the end.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    readonly string dataDir = Path.Combine(Path.GetTempPath(), "study-pg-" + Guid.NewGuid().ToString("n")[..8]);
    readonly string bin;

    readonly string listen = "127.0.0.1";
    readonly IReadOnlyList<string> launcher = [];

    public PostgresServer() : this(null, null) { }

    /// <summary>A server listening on <paramref name="address"/> inside a network lab's namespace (the words of
    /// <paramref name="launcher"/>), trusting every client of that /24.</summary>
    public static PostgresServer InLab(string address, IReadOnlyList<string> launcher) => new(address, launcher);

    PostgresServer(string? address, IReadOnlyList<string>? launcher)
    {
        if (address is not null) (listen, this.launcher) = (address, launcher ?? []);
        bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (./test installs the Debian package postgresql)");
        Port = FreePorts.Next();
        Directory.CreateDirectory(dataDir);
        if (IsRoot) Run("chown", "postgres:postgres", dataDir);
        RunPg("initdb", "-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        // The first matching line wins: the clients' role is checked before the trust lines.
        var hba = Path.Combine(dataDir, "pg_hba.conf");
        File.WriteAllText(hba, $"local all {Grains.Storage.PostgresClientRole.Name} scram-sha-256\nhost all {Grains.Storage.PostgresClientRole.Name} 0.0.0.0/0 scram-sha-256\n" + File.ReadAllText(hba));
        if (address is not null)
            File.AppendAllText(Path.Combine(dataDir, "pg_hba.conf"), $"host all all {string.Join('.', address.Split('.')[..3])}.0/24 trust\n");
        Start();
        AdminConnectionString = $"Host={listen};Port={Port};Username=postgres;Database=postgres;Pooling=false";
    }

    void Start() => RunPg("pg_ctl", "-D", dataDir, "-l", Path.Combine(dataDir, "server.log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {dataDir} -c listen_addresses={listen} -c fsync=off -c max_connections=200", "start");

    /// <summary>Stops the server (its clients' connections break), keeps it down for <paramref name="down"/>, starts it again.</summary>
    public void Restart(TimeSpan down)
    {
        RunPg("pg_ctl", "-D", dataDir, "-m", "fast", "-w", "stop");
        Thread.Sleep(down);
        Start();
    }

    public int Port { get; }
    public string AdminConnectionString { get; }

    /// <summary>A new, empty database; its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "study_" + Guid.NewGuid().ToString("n")[..12];
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return $"Host={listen};Port={Port};Username=postgres;Database={name}";
    }

    public void Dispose()
    {
        try { RunPg("pg_ctl", "-D", dataDir, "-m", "immediate", "-w", "stop"); } catch { /* already gone */ }
        try { Directory.Delete(dataDir, recursive: true); } catch { /* best effort */ }
    }

    static bool IsRoot => Environment.UserName == "root";

    void RunPg(string tool, params string[] args)
    {
        var path = Path.Combine(bin, tool);
        if (launcher.Count > 0) Run(launcher[0], [.. launcher.Skip(1), "runuser", "-u", "postgres", "--", path, .. args]);
        else if (IsRoot) Run("runuser", ["-u", "postgres", "--", path, .. args]);
        else Run(path, args);
    }

    static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr.Result}");
    }

}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
