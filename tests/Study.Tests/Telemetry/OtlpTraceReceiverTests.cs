using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Telemetry;

/// <summary>The trace receiver the telemetry tests read spans with decodes what OpenTelemetry's own OTLP/HTTP exporter
/// sends: service, ids, parent and name.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class OtlpTraceReceiverTests
{
    [Fact]
    public void ReadsTheSpansTheOtlpExporterSends()
    {
        using var receiver = new OtlpTraceReceiver();
        using var source = new ActivitySource("otlp-receiver-test");
        string traceId, parentId, childId;
        using (var provider = Sdk.CreateTracerProviderBuilder()
                   .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("receiver-test-service"))
                   .AddSource(source.Name)
                   .AddOtlpExporter(o =>
                   {
                       o.Endpoint = new Uri(receiver.Endpoint);
                       o.Protocol = OtlpExportProtocol.HttpProtobuf;
                       o.ExportProcessorType = ExportProcessorType.Simple;
                   })
                   .Build())
        {
            using (var parent = source.StartActivity("parent")!)
            {
                using var inner = source.StartActivity("child")!;
                (traceId, parentId, childId) = (parent.TraceId.ToHexString(), parent.SpanId.ToHexString(), inner.SpanId.ToHexString());
            }
            provider.ForceFlush();
        }
        var spans = receiver.Spans;
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal(("receiver-test-service", traceId), (s.Service, s.TraceId)));
        var child = spans.Single(s => s.Name == "child");
        Assert.Equal((childId, parentId), (child.SpanId, child.ParentSpanId));
        Assert.Equal("", spans.Single(s => s.Name == "parent").ParentSpanId);
    }
}
