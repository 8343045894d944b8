using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Study.Grains.Telemetry;

namespace Study.Grains.Hosting;

/// <summary>
/// OpenTelemetry for the product's processes: the "Study" and Orleans meters and sources, and OTLP export where
/// the standard variables ask for it — OTEL_EXPORTER_OTLP_ENDPOINT (or a signal's own endpoint) turns it on,
/// OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER = none (or anything without "otlp") turn a
/// signal's off; the exporter itself reads the other OTEL_* variables.
/// </summary>
public static class StudyOpenTelemetry
{
    /// <summary>Whether the signal ("traces", "metrics", "logs") goes out by OTLP.</summary>
    public static bool ExportsOtlp(string signal)
    {
        var chosen = Environment.GetEnvironmentVariable($"OTEL_{signal.ToUpperInvariant()}_EXPORTER");
        if (!string.IsNullOrWhiteSpace(chosen)) return chosen.Split(',').Any(e => e.Trim() == "otlp");
        return !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable($"OTEL_EXPORTER_OTLP_{signal.ToUpperInvariant()}_ENDPOINT"));
    }

    /// <summary>The service name: OTEL_SERVICE_NAME, else <paramref name="fallback"/>.</summary>
    public static string ServiceName(string fallback) =>
        Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : fallback;

    /// <summary>
    /// Telemetry for a host: metrics always (for <paramref name="metricReaders"/>, e.g. Prometheus, and OTLP when
    /// asked), traces and logs only when they go somewhere (an unexported span costs the trainer for nothing).
    /// </summary>
    public static IServiceCollection AddStudyOpenTelemetry(this IServiceCollection services, string serviceName,
        Action<MeterProviderBuilder>? metricReaders = null)
    {
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName(serviceName), serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(m =>
            {
                m.AddMeter(StudyTelemetry.Name, StudyTelemetry.OrleansMeter);
                metricReaders?.Invoke(m);
                if (ExportsOtlp("metrics")) m.AddOtlpExporter((o, _) => SignalSettings(o, "metrics"));
            });
        if (ExportsOtlp("traces"))
            otel.WithTracing(t => t.AddSource(StudyTelemetry.Name).AddSource(StudyTelemetry.OrleansSources).AddOtlpExporter(o => SignalSettings(o, "traces")));
        if (ExportsOtlp("logs"))
            otel.WithLogging(l => l.AddOtlpExporter(o => SignalSettings(o, "logs")), o => { o.IncludeFormattedMessage = true; o.IncludeScopes = true; });
        return services;
    }

    /// <summary>Spans of a console process without a host (the study client): null when traces go nowhere.</summary>
    public static TracerProvider? ClientTracing(string serviceName) => !ExportsOtlp("traces") ? null :
        Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService(ServiceName(serviceName), serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .AddSource(StudyTelemetry.Name).AddSource(StudyTelemetry.OrleansSources)
            .AddOtlpExporter(o => SignalSettings(o, "traces"))
            .Build();

    /// <summary>
    /// A signal's own endpoint and protocol (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, …_PROTOCOL): the exporter's
    /// AddOtlpExporter reads only the shared OTEL_EXPORTER_OTLP_* ones (the signal's are UseOtlpExporter's, which
    /// cannot leave one signal out), so they are applied here. A signal endpoint is used as given (the full URL).
    /// </summary>
    static void SignalSettings(OtlpExporterOptions options, string signal)
    {
        var prefix = $"OTEL_EXPORTER_OTLP_{signal.ToUpperInvariant()}_";
        if (Environment.GetEnvironmentVariable(prefix + "ENDPOINT") is { Length: > 0 } endpoint) options.Endpoint = new Uri(endpoint);
        if (Environment.GetEnvironmentVariable(prefix + "PROTOCOL") is { Length: > 0 } protocol)
            options.Protocol = protocol.Trim() == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
    }
}
