using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Study.Grains;
using Study.Grains.Hosting;
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
/// authority is refused; the Job's client runs a study, but cannot act as a silo: its slot report is refused.
/// </summary>
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
            .UseTls(tls.Certificate!, o => tls.Configure(o, silo: false)));
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
        Assert.Equal(ManifestChecks.SiloTlsVariables.Append("STUDY_TLS_REQUIRE_CLIENT_CERTIFICATE").Order(), siloTls.Keys.Order());
        Assert.Equal(ManifestChecks.ClientTlsVariables.Order(), clientTls.Keys.Order());
        var rogue = Path.Combine(dir, "rogue");
        Manifests.ClusterCerts(rogue); // another authority, with its own client certificate

        var connection = postgres.CreateDatabase();
        silos.Add(ClusterSilo.Start(connection, dir, "silo-a", environment: siloTls).Process);
        silos.Add(ClusterSilo.Start(connection, dir, "silo-b", environment: siloTls).Process); // joins silo-a over TLS
        Assert.All(silos, s => Assert.DoesNotContain("this cluster is open", s.Stderr)); // mutual TLS and the secret: closed
        string[] submit = ["submit", "--cluster", connection, "--dataset", "synthetic", "--taus", "0.5", "--epochs", "1", "--subset", "512",
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
        var watched = StudyProcess.Run(TimeSpan.FromMinutes(3), dir, clientTls, "watch", id, "--cluster", connection, "--json");
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        Assert.Contains("\"completed\"", watched.Stdout);

        var forged = await ForgedHeartbeat(connection, clientTls);
        Assert.Equal("ISlotSchedulerGrain.Heartbeat: only silos may call it, and a client did", Assert.IsType<UnauthorizedAccessException>(forged).Message);
    }
}
