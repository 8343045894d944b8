using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Study.Client.Cli;
using Study.Grains.Hosting;

namespace Study.Client.Connection;

/// <summary>An Orleans client of a cluster whose membership is in PostgreSQL (--cluster CONN).</summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(25);
    readonly IHost host;

    ClusterConnection(IHost host) => this.host = host;

    public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();

    /// <summary>TLS to the gateways, when the cluster uses it: STUDY_TLS_CA (the cluster's authority), and
    /// STUDY_TLS_CERTIFICATE (+ STUDY_TLS_KEY) where the silos require a client certificate.</summary>
    /// <exception cref="UsageException">STUDY_TLS_* settings that cannot work</exception>
    public static void CheckTls() => _ = ClientTls.Value;

    // Read once a process: the store's opening checks the settings, the connection uses them.
    static readonly Lazy<StudyTls?> ClientTls = new(LoadClientTls);

    static StudyTls? LoadClientTls()
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        var certificate = Env("STUDY_TLS_CERTIFICATE");
        if (Env("STUDY_TLS_CA") is not { } authority)
            return certificate is null ? null : throw new UsageException("STUDY_TLS_CERTIFICATE: give STUDY_TLS_CA too (the cluster's authority)");
        try { return StudyTls.Load(certificate, Env("STUDY_TLS_KEY"), authority, requireClientCertificate: false, name => "STUDY_TLS_" + name.ToUpperInvariant()); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    public static async Task<ClusterConnection> Connect(string connectionString)
    {
        var tls = ClientTls.Value;
        var clock = Stopwatch.StartNew();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Hosting.QuietLogging(builder.Logging);
        StudyOpenTelemetry.AddOtelVariables(builder.Configuration);
        StudyOpenTelemetry.AddStudyLogging(builder.Logging, ConsoleTelemetry.Current?.ServiceName ?? "study-client");
        builder.UseOrleansClient(client => client
            .Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = StudyRuntimeHosting.ClusterId; o.ServiceId = StudyRuntimeHosting.ServiceId; })
            .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; })
            .AddActivityPropagation()
            .ConfigureTls(tls)
            // Orleans 10 retries for minutes by default; a console should say within seconds that nothing answers.
            .UseConnectionRetryFilter(async (_, cancel) =>
            {
                if (clock.Elapsed > ConnectDeadline) return false;
                await Task.Delay(TimeSpan.FromSeconds(1), cancel);
                return true;
            }));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e)
        {
            host.Dispose();
            throw new UsageException($"--cluster: no silo of the cluster answers ({e.GetBaseException().Message.TrimEnd('.')}); is a ./silo running?");
        }
        return new ClusterConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try { await host.StopAsync(); } catch { }
        host.Dispose();
    }
}

static class ClientTlsSetup
{
    public static IClientBuilder ConfigureTls(this IClientBuilder client, StudyTls? tls) =>
        tls is null ? client
        : tls.Certificate is { } certificate ? client.UseTls(certificate, o => tls.ConfigureClient(o))
        : client.UseTls(o => tls.ConfigureClient(o));
}
