using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Storage;
using Study.Silo.Http;

namespace Study.Silo;

/// <summary>
/// The silo's host: Orleans with the study runtime, OpenTelemetry, and — when a port asks for it — Kestrel for
/// /healthz, /readyz and /metrics (--metrics-port) and the Orleans Dashboard (--dashboard), each on its own port.
/// </summary>
public static class SiloHost
{
    const string Live = "live", Ready = "ready";

    /// <param name="tls">the certificates of --tls-*, loaded by the configuration; null: no TLS</param>
    public static IHost Build(SiloOptions options, StudyTls? tls, IStudyStore store, RuntimeOptions runtime)
    {
        bool http = options.MetricsPort is not null || options.Dashboard;
        var settings = new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory };
        IHostApplicationBuilder builder = http
            ? WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory })
            : Host.CreateApplicationBuilder(settings);

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(25));
        builder.Services.AddSingleton(options);
        StudyOpenTelemetry.AddStudyLogging(builder.Logging, "study-silo");
        builder.Services.AddStudyOpenTelemetry("study-silo", metrics =>
        {
            if (options.MetricsPort is not null) metrics.AddPrometheusExporter();
        });
        builder.UseOrleans(silo =>
        {
            if (options.Cluster is null)
            {
                var primary = options.PrimaryPort is { } p ? new IPEndPoint(IPAddress.Loopback, p) : null;
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, StudyRuntimeHosting.ServiceId, StudyRuntimeHosting.ClusterId);
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.UsePostgresCluster(options.Cluster);
                var advertised = options.Advertise is { } ip ? IPAddress.Parse(ip) : AdvertisedAddress();
                silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
            }
            if (options.ListenAddress is { } listen)
                silo.Configure<Orleans.Configuration.EndpointOptions>(o =>
                {
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Parse(listen), options.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Parse(listen), options.GatewayPort);
                });
            if (tls is not null) silo.UseTls(tls.Certificate!, o => tls.ConfigureSilo(o, options.SiloPort));
            if (options.Name is { } name) silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = name);
            if (options.Dashboard) silo.AddDashboard();
            silo.AddStudyRuntime(store, runtime);
            silo.Services.AddSingleton<IFatalErrorHandler, FatalErrorExit>();
        });
        if (!http) return ((HostApplicationBuilder)builder).Build();

        var web = (WebApplicationBuilder)builder;
        web.Services.AddHealthChecks()
            .AddCheck<SiloLivenessCheck>("process", tags: [Live])
            .AddCheck<SiloReadinessCheck>("cluster-and-store", tags: [Ready]);
        web.WebHost.ConfigureKestrel(kestrel =>
        {
            if (options.MetricsPort is { } metricsPort) kestrel.Listen(IPAddress.Parse(options.MetricsAddress), metricsPort);
            if (options.Dashboard) kestrel.Listen(IPAddress.Parse(options.DashboardAddress), options.DashboardPort);
        });
        var app = web.Build();
        // Each port serves its own routes (RequireHost below). RequireHost reads the Host header, which the sender
        // writes: set its port to the one the request arrived on before routing, so that a request to the metrics
        // port cannot name the dashboard's port and skip the dashboard's token (checked by arrival port).
        app.Use((context, next) =>
        {
            context.Request.Host = new HostString(context.Request.Host.HasValue ? context.Request.Host.Host : "localhost", context.Connection.LocalPort);
            return next(context);
        });
        app.UseRouting();
        if (options.MetricsPort is { } port)
        {
            var host = $"*:{port}";
            app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Live) }).RequireHost(host);
            app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) }).RequireHost(host);
            app.MapPrometheusScrapingEndpoint().RequireHost(host);
        }
        if (options.Dashboard)
        {
            if (options.DashboardToken is { Length: > 0 } token)
                app.UseWhen(c => c.Connection.LocalPort == options.DashboardPort, branch => branch.UseMiddleware<DashboardTokenCheck>(token));
            app.MapOrleansDashboard().RequireHost($"*:{options.DashboardPort}");
        }
        return app;
    }

    static IPAddress AdvertisedAddress()
    {
        try
        {
            return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                ?? IPAddress.Loopback;
        }
        catch (System.Net.Sockets.SocketException) { return IPAddress.Loopback; }
    }
}
