using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Study.Grains;
using Npgsql;
using Study.Grains.Hosting;
using Study.Grains.Storage;
using Study.Tests.Cli;
using Study.Tests.Deployment;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// TLS between silos and with clients (issue 10, defect 10), as the Kubernetes manifests set it up: certificates
/// and the cluster secret made by scripts/cluster-certs, turned into Secrets by k8s/tls, and the silos' and the
/// client Job's STUDY_TLS_* settings, all from the rendered cpu overlay. Two `./silo` processes of a PostgreSQL
/// cluster join each other over TLS; a client without TLS, without a certificate, or with a certificate from another
/// authority is refused; the Job's client runs a study, but cannot act as a silo: its slot report is refused, the
/// silo port refuses its certificate, and its database role (study_client, which the silos create) writes nothing.
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
[Collection(PostgresCollection.Name)]
public sealed class TlsClusterTests(PostgresServer postgres) : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-tls-").FullName;
    readonly List<ChildProcess> silos = [];

    public void Dispose()
    {
        foreach (var silo in silos) silo.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>What a user with the cluster's client certificate could try by hand: report a silo of 8 free slots.</summary>
    static async Task<Exception?> ForgedHeartbeat(string connection, Dictionary<string, string> clientTls)
    {
        var tls = StudyTls.Load(clientTls["STUDY_TLS_CERTIFICATE"], clientTls["STUDY_TLS_KEY"], clientTls["STUDY_TLS_CA"], requireClientCertificate: false);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(c => c
            .Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = StudyRuntimeHosting.ClusterId; o.ServiceId = StudyRuntimeHosting.ServiceId; })
            .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connection; })
            .UseTls(tls.Certificate!, o => tls.ConfigureClient(o)));
        using var host = builder.Build();
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IClusterClient>().GetGrain<ISlotSchedulerGrain>(0);
        var free = await scheduler.FreeSlots();
        var fake = SiloAddress.New(System.Net.IPAddress.Loopback, 40_003, 1);
        var refused = await Record.ExceptionAsync(() => scheduler.Heartbeat(new SiloSlotReport(fake, "fake", 8, [], Leaving: false)));
        Assert.Equal(free, await scheduler.FreeSlots());
        await host.StopAsync();
        return refused;
    }

    [Fact]
    public async Task OnlyClientsWithTheAuthoritysCertificateGetInAndNoneActsAsASilo()
    {
        var manifests = Manifests.Render("cpu");
        var siloTls = ManifestChecks.LocalTlsEnvironment(manifests, manifests.SiloPod, manifests.SiloContainer, Path.Combine(dir, "silo"));
        var (jobPod, job) = ManifestChecks.ClientJob(manifests);
        var clientTls = ManifestChecks.LocalTlsEnvironment(manifests, jobPod, job, Path.Combine(dir, "client"));
        Assert.Equal(ManifestChecks.SiloTlsVariables.Append("STUDY_TLS_REQUIRE_CLIENT_CERTIFICATE").Append("STUDY_CLIENT_PASSWORD").Order(), siloTls.Keys.Order());
        Assert.Equal(ManifestChecks.ClientTlsVariables.Order(), clientTls.Keys.Order());
        var rogue = Path.Combine(dir, "rogue");
        Manifests.ClusterCerts(rogue); // another authority, with its own client certificate

        var connection = postgres.CreateDatabase();
        var siloA = ClusterSilo.Start(connection, dir, "silo-a", environment: siloTls);
        silos.Add(siloA.Process);
        silos.Add(ClusterSilo.Start(connection, dir, "silo-b", environment: siloTls).Process); // joins silo-a over TLS
        Assert.All(silos, s => Assert.DoesNotContain("this cluster is open", s.Stderr)); // mutual TLS and the secret: closed
        // The Job's connection string names the role study_client and the password of the silos' file (the manifest
        // tests check both); here, the same role on the test's database.
        var asClient = new NpgsqlConnectionStringBuilder(connection)
        {
            Username = PostgresClientRole.Name, Password = File.ReadAllText(siloTls["STUDY_CLIENT_PASSWORD"]),
        }.ConnectionString;
        string[] submit = ["submit", "--cluster", asClient, "--dataset", "synthetic", "--taus", "0.5", "--epochs", "1", "--subset", "512",
            "--eval-subset", "100", "--batch-size", "128"];

        var refusals = new (string Who, Dictionary<string, string> Environment)[]
        {
            ("a client without TLS", new()),
            ("a client without a certificate", new() { ["STUDY_TLS_CA"] = clientTls["STUDY_TLS_CA"] }),
            ("a client with another authority's certificate", new()
            {
                ["STUDY_TLS_CA"] = clientTls["STUDY_TLS_CA"], ["STUDY_TLS_CERTIFICATE"] = Path.Combine(rogue, "client.crt"),
                ["STUDY_TLS_KEY"] = Path.Combine(rogue, "client.key"),
            }),
        };
        foreach (var (who, environment) in refusals)
        {
            var refused = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, environment, submit);
            Assert.True(refused.ExitCode == 2, $"{who} got in: exit {refused.ExitCode} {refused.Stdout}{refused.Stderr}");
            Assert.Contains("no silo of the cluster answers", Assert.Single(refused.StderrLines));
        }

        var submitted = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, clientTls, submit);
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        var id = submitted.Stdout.Trim().Split('\n')[^1];
        var watched = StudyProcess.Run(TimeSpan.FromMinutes(3), dir, clientTls, "watch", id, "--cluster", asClient, "--json");
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        Assert.Contains("\"completed\"", watched.Stdout);

        var forged = await ForgedHeartbeat(connection, clientTls);
        Assert.Equal("ISlotSchedulerGrain.Heartbeat: only silos may call it, and a client did", Assert.IsType<UnauthorizedAccessException>(forged).Message);

        // The silo port talks to a silo's certificate (the control) and closes the connection of the client's, though
        // both chain to the authority; the gateway took the client's above. (The server judges the client's
        // certificate once the handshake is done, so the refusal shows on the first read.)
        using var siloConnection = await TlsConnection.Open(siloA.SiloPort, siloTls["STUDY_TLS_CERTIFICATE"], siloTls["STUDY_TLS_KEY"]);
        Assert.False(await siloConnection.Closed(TimeSpan.FromSeconds(30)), "the silo port closed a silo's connection: the check below proves nothing");
        using var clientConnection = await TlsConnection.Open(siloA.SiloPort, clientTls["STUDY_TLS_CERTIFICATE"], clientTls["STUDY_TLS_KEY"]);
        Assert.True(await clientConnection.Closed(TimeSpan.FromSeconds(30)), "the silo port took a client's certificate as a silo's");

        await ClientRoleWritesNothing(asClient, id);
    }

    /// <summary>A TLS connection to a silo port, with a read of its first byte pending.</summary>
    sealed class TlsConnection(System.Net.Sockets.TcpClient tcp, System.Net.Security.SslStream ssl, Task<int> read) : IDisposable
    {
        public static async Task<TlsConnection> Open(int port, string certificate, string key)
        {
            var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var ssl = new System.Net.Security.SslStream(tcp.GetStream());
            var own = StudyTls.Load(certificate, key, certificate, requireClientCertificate: false).Certificate!;
            var handshake = await Record.ExceptionAsync(() => ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
            {
                TargetHost = StudyTls.TargetHost, ClientCertificates = [own], RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }));
            return new TlsConnection(tcp, ssl, handshake is null ? ssl.ReadAsync(new byte[1]).AsTask() : Task.FromException<int>(handshake));
        }

        /// <summary>Whether the silo closed it (or refused the handshake) within <paramref name="wait"/>; not when it
        /// sent a byte or kept it open.</summary>
        public async Task<bool> Closed(TimeSpan wait)
        {
            try { return await read.WaitAsync(wait) == 0; }
            catch (TimeoutException) { return false; }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException) { return true; }
        }

        public void Dispose()
        {
            ssl.Dispose();
            tcp.Dispose();
        }
    }

    /// <summary>What a client holding the owner's password could do (issue 23), refused to the clients' role: it
    /// reads, and a wrong password does not get in.</summary>
    static async Task ClientRoleWritesNothing(string asClient, string studyId)
    {
        await using (var wrong = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(asClient) { Password = "not-the-password" }.ConnectionString))
            Assert.Equal("28P01", Assert.IsType<PostgresException>(await Record.ExceptionAsync(() => wrong.OpenAsync())).SqlState);
        await using var db = new NpgsqlConnection(asClient);
        await db.OpenAsync();
        await using (var read = new NpgsqlCommand("SELECT count(*) FROM trials WHERE study_id = @id", db))
        {
            read.Parameters.AddWithValue("id", studyId);
            Assert.True((long)(await read.ExecuteScalarAsync())! > 0, "the clients' role reads no trial of its study");
        }
        string[] writes =
        [
            "UPDATE OrleansMembershipTable SET Status = 6", // declare every silo dead
            "UPDATE trials SET status = 'completed'",
            "INSERT INTO studies (study_id, status, created_ms, updated_ms, spec_json) VALUES ('forged', 'running', 0, 0, '{}')",
            "DELETE FROM epochs",
            "DROP TABLE trials",
            "CREATE TABLE forged (a integer)",
        ];
        foreach (var write in writes)
        {
            await using var command = new NpgsqlCommand(write, db);
            var refused = await Record.ExceptionAsync(() => command.ExecuteNonQueryAsync());
            Assert.True(refused is PostgresException { SqlState: "42501" }, $"the clients' role could: {write} ({refused?.Message ?? "no error"})");
        }
    }
}
