using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Storage;

namespace Study.Client.Connection;

/// <summary>
/// The one-silo cluster `study run` and `study resume` start in this process, on free loopback ports, with the
/// embedded (SQLite) store: what a study needs on one machine without anything set up.
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    readonly IHost host;

    EmbeddedCluster(IHost host) => this.host = host;

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<EmbeddedCluster> Start(IStudyStore store, RuntimeOptions runtime)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Hosting.QuietLogging(builder.Logging);
        // Its spans and meters go out through the process's providers (ConsoleTelemetry); its logs through these.
        StudyOpenTelemetry.AddOtelVariables(builder.Configuration);
        StudyOpenTelemetry.AddStudyLogging(builder.Logging, ConsoleTelemetry.Current?.ServiceName ?? "study-embedded");
        int siloPort = FreePort(), gatewayPort = FreePort();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: StudyRuntimeHosting.ServiceId, clusterId: StudyRuntimeHosting.ClusterId)
            .UseInMemoryReminderService()
            .AddStudyRuntime(store, runtime));
        var host = builder.Build();
        // The silo's timers would otherwise capture the command's span and put all its background work into the
        // study's trace; this method's change of Activity.Current ends with it.
        Activity.Current = null;
        await host.StartAsync();
        return new EmbeddedCluster(host);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await host.StopAsync(timeout.Token); } catch (OperationCanceledException) { }
        host.Dispose();
    }
}
