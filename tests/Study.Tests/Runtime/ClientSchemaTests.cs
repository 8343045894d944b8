using Npgsql;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Silos alone own the cluster's schema (issue 23: every `--cluster` command ran its DDL, as the database owner).
/// A client pointed at a database that no silo has prepared says so in one line, exits 2 and creates nothing.
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
[Collection(PostgresCollection.Name)]
public sealed class ClientSchemaTests(PostgresServer postgres) : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-client-schema-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("list")]
    [InlineData("submit")]
    public void AClientCreatesNoTableOfTheCluster(string command)
    {
        var empty = postgres.CreateDatabase();
        string[] args = command == "list" ? ["list", "--cluster", empty]
            : ["submit", "--cluster", empty, "--dataset", "synthetic", "--taus", "0.5", "--epochs", "1", "--subset", "512", "--batch-size", "128"];
        var refused = StudyProcess.Run(TimeSpan.FromMinutes(1), dir, new Dictionary<string, string>(), args);
        Assert.True(refused.ExitCode == 2, $"exit {refused.ExitCode}: {refused.Stdout}{refused.Stderr}");
        Assert.Equal("study: --cluster: cannot use the cluster database (the database has no study tables yet: a silo creates them when it starts (./silo --cluster ...))",
            Assert.Single(refused.StderrLines));

        using var db = new NpgsqlConnection(empty);
        db.Open();
        using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", db);
        Assert.Equal(0L, tables.ExecuteScalar());
    }
}
