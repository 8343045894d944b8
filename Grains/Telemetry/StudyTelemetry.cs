using System.Diagnostics;

namespace Study.Grains.Telemetry;

/// <summary>
/// The names of the product's telemetry: its own meter and activity source ("Study"; every instrument is listed in
/// docs/TELEMETRY.md), and Orleans's, which silos and clients export beside it.
/// </summary>
public static class StudyTelemetry
{
    public const string Name = "Study";
    public const string Version = "1.0";

    /// <summary>Spans of a study: the client's command, the coordinator's trial starts, a trial's run and its epochs.</summary>
    public static readonly ActivitySource Source = new(Name, Version);

    public const string OrleansMeter = "Microsoft.Orleans";
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>The context a W3C traceparent names (default when there is none or it does not parse), so that a
    /// span started later, from a timer or another process, joins the study's trace.</summary>
    public static ActivityContext ContextOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
}
