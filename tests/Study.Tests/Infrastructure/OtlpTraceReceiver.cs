using System.Net;
using Study.Tests.Infrastructure.Otlp;

namespace Study.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP trace receiver on a free loopback port: exporters post protobuf ExportTraceServiceRequests to
/// /v1/traces; it keeps each span's trace id, span id, parent, name and its resource's service.name, decoded by
/// Google.Protobuf from the part of the schema the tests read (OtlpTraces.proto).
/// </summary>
public sealed class OtlpTraceReceiver : IDisposable
{
    public sealed record Span(string Service, string TraceId, string SpanId, string ParentSpanId, string Name);

    readonly HttpListener listener = new();
    readonly List<Span> spans = [];
    readonly Task serving;

    public OtlpTraceReceiver()
    {
        Port = FreePorts.Next();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        serving = Task.Run(Serve);
    }

    public int Port { get; }
    /// <summary>For OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/v1/traces";

    public IReadOnlyList<Span> Spans { get { lock (spans) return spans.ToList(); } }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            try
            {
                var received = Parse(body.ToArray());
                lock (spans) spans.AddRange(received);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
            }
            catch (Exception) { context.Response.StatusCode = 400; }
            context.Response.Close();
        }
    }

    static List<Span> Parse(byte[] request) =>
    [
        .. from resourceSpans in ExportTraceServiceRequest.Parser.ParseFrom(request).ResourceSpans
           let service = resourceSpans.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? ""
           from scopeSpans in resourceSpans.ScopeSpans
           from span in scopeSpans.Spans
           select new Span(service, Hex(span.TraceId), Hex(span.SpanId), Hex(span.ParentSpanId), span.Name),
    ];

    static string Hex(Google.Protobuf.ByteString bytes) => Convert.ToHexString(bytes.Span).ToLowerInvariant();

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try { serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
