using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Study.Grains.Hosting;

/// <summary>
/// Keeps a study's trace in front: Orleans's own background work (grain timer ticks, reminder-table and membership
/// calls) starts a trace of its own many times a minute, and those buried the study's. A root span is recorded only
/// when it is the product's — its start tags include one named <c>study.*</c> — and every other span follows its
/// parent, so Orleans's call spans inside a study's trace stay. STUDY_OTEL_ORLEANS_SPANS=all records every span.
/// </summary>
public sealed class StudySpanSampler : Sampler
{
    public const string Variable = "STUDY_OTEL_ORLEANS_SPANS";

    static readonly SamplingResult Record = new(SamplingDecision.RecordAndSample), Drop = new(SamplingDecision.Drop);

    /// <summary>The sampler the product's processes use: this one, or none where STUDY_OTEL_ORLEANS_SPANS=all.</summary>
    public static Sampler? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable)?.Trim() is "all" ? null : new StudySpanSampler();

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        if (parameters.ParentContext.TraceId != default)
            return parameters.ParentContext.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? Record : Drop;
        if (parameters.Tags is { } tags)
            foreach (var tag in tags)
                if (tag.Key.StartsWith("study.", StringComparison.Ordinal)) return Record;
        return Drop;
    }
}
