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

    public static async Task<ClusterConnection> Connect(string connectionString)
    {
        var clock = Stopwatch.StartNew();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Hosting.QuietLogging(builder.Logging);
        builder.UseOrleansClient(client => client
            .Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = StudyRuntimeHosting.ClusterId; o.ServiceId = StudyRuntimeHosting.ServiceId; })
            .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; })
            .AddActivityPropagation()
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
