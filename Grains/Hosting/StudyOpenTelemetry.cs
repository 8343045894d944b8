using Microsoft.Extensions.Configuration;
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
/// OpenTelemetry for the product's processes (docs/TELEMETRY.md): the "Study" and Orleans meters and sources, the
/// runtime's and the process's meters, and OTLP export where the standard variables ask for it —
/// OTEL_EXPORTER_OTLP_ENDPOINT (or a signal's own endpoint) turns it on, OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER /
/// OTEL_LOGS_EXPORTER = none (or anything without "otlp") turn a signal's off; the exporter reads the other OTEL_*.
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

    /// <summary>The resource every signal of this process carries: its service, and which process of it this is.</summary>
    public static ResourceBuilder Resource(string serviceName) => AddStudyService(ResourceBuilder.CreateDefault(), serviceName);

    static ResourceBuilder AddStudyService(ResourceBuilder resource, string serviceName) =>
        resource.AddService(ServiceName(serviceName), serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId);

    /// <summary>
    /// Telemetry for a silo's host: metrics always (for <paramref name="metricReaders"/>, e.g. Prometheus, and OTLP when
    /// asked), traces and logs only when they go somewhere (an unexported span costs the trainer for nothing).
    /// </summary>
    public static IServiceCollection AddStudyOpenTelemetry(this IServiceCollection services, string serviceName,
        Action<MeterProviderBuilder>? metricReaders = null)
    {
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => AddStudyService(r, serviceName))
            .WithMetrics(m =>
            {
                StudyMetrics(m);
                metricReaders?.Invoke(m);
            });
        if (ExportsOtlp("traces")) otel.WithTracing(t => StudyTraces(t));
        return services;
    }

    /// <summary>The meters a process of the product exports: its own, Orleans's, the .NET runtime's and the process's.</summary>
    public static MeterProviderBuilder StudyMetrics(MeterProviderBuilder metrics)
    {
        metrics.AddMeter(StudyTelemetry.Name, StudyTelemetry.OrleansMeter).AddRuntimeInstrumentation().AddProcessInstrumentation();
        if (ExportsOtlp("metrics")) metrics.AddOtlpExporter((o, _) => SignalSettings(o, "metrics"));
        return metrics;
    }

    /// <summary>The spans a process of the product exports: its own and Orleans's, less Orleans's background roots.</summary>
    public static TracerProviderBuilder StudyTraces(TracerProviderBuilder traces)
    {
        traces.AddSource(StudyTelemetry.Name).AddSource(StudyTelemetry.OrleansSources).AddOtlpExporter(o => SignalSettings(o, "traces"));
        if (StudySpanSampler.FromEnvironment() is { } sampler) traces.SetSampler(sampler);
        return traces;
    }

    /// <summary>
    /// The OTEL_* variables, for a host built without the environment in its configuration: inside a host the
    /// exporters read their settings from the host's configuration, not from the environment.
    /// </summary>
    public static void AddOtelVariables(IConfigurationBuilder configuration) =>
        configuration.AddInMemoryCollection(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(v => v.Key is string name && name.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(v => new KeyValuePair<string, string?>((string)v.Key, v.Value as string)));

    /// <summary>
    /// Logs by OTLP, when they go somewhere, beside what <paramref name="logging"/> already writes: the product's from
    /// Information up, Orleans's, ASP.NET's and Polly's from Warning, whatever the console shows.
    /// </summary>
    public static void AddStudyLogging(ILoggingBuilder logging, string serviceName)
    {
        if (!ExportsOtlp("logs")) return;
        var resource = Resource(serviceName);
        logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
            o.AddOtlpExporter(e => SignalSettings(e, "logs"));
        });
        logging.AddFilter<OpenTelemetryLoggerProvider>(null, LogLevel.Information);
        logging.AddFilter<OpenTelemetryLoggerProvider>("Orleans", LogLevel.Warning);
        logging.AddFilter<OpenTelemetryLoggerProvider>("Microsoft", LogLevel.Warning);
        logging.AddFilter<OpenTelemetryLoggerProvider>("Polly", LogLevel.Warning);
    }

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
