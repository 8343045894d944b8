using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Study.Grains.Hosting;

/// <summary>
/// The telemetry of a `study` console process, where OTEL_* ask for it: one tracer and one meter provider for the whole
/// process (a second would export every span twice), so the embedded silo's spans and meters go out through them
/// too, under the process's service name; and a logger for the command's own lines. Hosts the process starts add
/// their logs with <see cref="StudyOpenTelemetry.AddStudyLogging"/>.
/// </summary>
public sealed class ConsoleTelemetry : IDisposable
{
    readonly TracerProvider? traces;
    readonly MeterProvider? metrics;
    readonly ILoggerFactory? logs;

    ConsoleTelemetry(string serviceName)
    {
        ServiceName = serviceName;
        var resource = StudyOpenTelemetry.Resource(serviceName);
        if (StudyOpenTelemetry.ExportsOtlp("traces"))
            traces = StudyOpenTelemetry.StudyTraces(Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource)).Build();
        if (StudyOpenTelemetry.ExportsOtlp("metrics"))
            metrics = StudyOpenTelemetry.StudyMetrics(Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource)).Build();
        if (StudyOpenTelemetry.ExportsOtlp("logs"))
            logs = LoggerFactory.Create(l => StudyOpenTelemetry.AddStudyLogging(l, serviceName));
    }

    /// <summary>The fallback service name this process exports under (OTEL_SERVICE_NAME overrides it).</summary>
    public string ServiceName { get; }

    /// <summary>The process's telemetry, once <see cref="Start"/> has run.</summary>
    public static ConsoleTelemetry? Current { get; private set; }

    public static ConsoleTelemetry Start(string serviceName) => Current = new ConsoleTelemetry(serviceName);

    /// <summary>A logger whose lines go out by OTLP (nowhere when logs are not exported).</summary>
    public ILogger Logger(string category) => logs?.CreateLogger(category) ?? NullLogger.Instance;

    public void Dispose()
    {
        // Spans and metrics still buffered go out before the process ends.
        traces?.ForceFlush(5000);
        metrics?.ForceFlush(5000);
        traces?.Dispose();
        metrics?.Dispose();
        logs?.Dispose();
        if (Current == this) Current = null;
    }
}
