using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Study.Grains;
using Study.Grains.Hosting;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// TLS between silos and with clients (issue 10, defect 10): two `./silo` processes of a PostgreSQL cluster with
/// certificates from one authority and client certificates required. They join each other over TLS; a client
/// without TLS, without a certificate, or with a certificate from another authority is refused; a client with the
/// authority's certificate runs a study, but cannot act as a silo: its slot report is refused.
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

    (string Certificate, string Key) Issue(X509Certificate2 authority, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("tau-study");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
        var (certificatePath, keyPath) = (Path.Combine(dir, name + ".pem"), Path.Combine(dir, name + ".key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }

    void StartSilo(string connection, string name, (string Certificate, string Key) own, string authority) =>
        silos.Add(ClusterSilo.Start(connection, dir, name,
            ["--tls-certificate", own.Certificate, "--tls-key", own.Key, "--tls-ca", authority, "--tls-require-client-certificate"]).Process);

    /// <summary>What a user with the cluster's client certificate could try by hand: report a silo of 8 free slots.</summary>
    static async Task<Exception?> ForgedHeartbeat(string connection, (string Certificate, string Key) client, string authority)
    {
        var tls = StudyTls.Load(client.Certificate, client.Key, authority, requireClientCertificate: false);
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
    public async Task OnlyClientsWithTheAuthoritysCertificateGetIn()
    {
        using var authority = Authority("tau-study test authority");
        var authorityPath = Path.Combine(dir, "ca.pem");
        File.WriteAllText(authorityPath, authority.ExportCertificatePem());
        var connection = postgres.CreateDatabase();
        StartSilo(connection, "silo-a", Issue(authority, "silo-a"), authorityPath);
        StartSilo(connection, "silo-b", Issue(authority, "silo-b"), authorityPath); // joins silo-a over TLS
        var client = Issue(authority, "client");
        using var rogueAuthority = Authority("someone else");
        var rogue = Issue(rogueAuthority, "rogue");
        string[] submit = ["submit", "--cluster", connection, "--dataset", "synthetic", "--taus", "0.5", "--epochs", "1", "--subset", "512",
            "--eval-subset", "100", "--batch-size", "128"];

        var refusals = new (string Who, Dictionary<string, string> Environment)[]
        {
            ("a client without TLS", new()),
            ("a client without a certificate", new() { ["STUDY_TLS_CA"] = authorityPath }),
            ("a client with another authority's certificate", new()
                { ["STUDY_TLS_CA"] = authorityPath, ["STUDY_TLS_CERTIFICATE"] = rogue.Certificate, ["STUDY_TLS_KEY"] = rogue.Key }),
        };
        foreach (var (who, environment) in refusals)
        {
            var refused = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, environment, submit);
            Assert.True(refused.ExitCode == 2, $"{who} got in: exit {refused.ExitCode} {refused.Stdout}{refused.Stderr}");
            Assert.Contains("no silo of the cluster answers", Assert.Single(refused.StderrLines));
        }

        var trusted = new Dictionary<string, string>
            { ["STUDY_TLS_CA"] = authorityPath, ["STUDY_TLS_CERTIFICATE"] = client.Certificate, ["STUDY_TLS_KEY"] = client.Key };
        var submitted = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, trusted, submit);
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        var id = submitted.Stdout.Trim().Split('\n')[^1];
        var watched = StudyProcess.Run(TimeSpan.FromMinutes(3), dir, trusted, "watch", id, "--cluster", connection, "--json");
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        Assert.Contains("\"completed\"", watched.Stdout);

        var forged = await ForgedHeartbeat(connection, client, authorityPath);
        Assert.Equal("ISlotSchedulerGrain.Heartbeat: only silos may call it, and a client did", Assert.IsType<UnauthorizedAccessException>(forged).Message);
    }
}
