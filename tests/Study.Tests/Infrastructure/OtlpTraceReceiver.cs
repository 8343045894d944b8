using System.Net;
using System.Text;

namespace Study.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP trace receiver on a free loopback port: exporters post protobuf ExportTraceServiceRequests to
/// /v1/traces; it keeps each span's trace id, span id, parent, name and its resource's service.name. The wire format
/// is read by hand (fields: resource_spans 1 → resource 1 (attributes 1: key 1, value 2 → string_value 1),
/// scope_spans 2 → spans 2 → trace_id 1, span_id 2, parent_span_id 4, name 5), so the test needs no generated code.
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

    static List<Span> Parse(byte[] request)
    {
        var result = new List<Span>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            string service = "";
            foreach (var resource in Fields(resourceSpans, 1))
                foreach (var attribute in Fields(resource, 1))
                {
                    var key = Encoding.UTF8.GetString(Fields(attribute, 1).FirstOrDefault() ?? []);
                    if (key == "service.name")
                        service = Encoding.UTF8.GetString(Fields(attribute, 2).SelectMany(v => Fields(v, 1)).FirstOrDefault() ?? []);
                }
            foreach (var scopeSpans in Fields(resourceSpans, 2))
                foreach (var span in Fields(scopeSpans, 2))
                    result.Add(new Span(service, Hex(Fields(span, 1).FirstOrDefault()), Hex(Fields(span, 2).FirstOrDefault()),
                        Hex(Fields(span, 4).FirstOrDefault()), Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault() ?? [])));
        }
        return result;
    }

    static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of a message; other fields are skipped.</summary>
    static IEnumerable<byte[]> Fields(byte[] message, int number)
    {
        int at = 0;
        var found = new List<byte[]>();
        while (at < message.Length)
        {
            ulong tag = Varint(message, ref at);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: Varint(message, ref at); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    int length = (int)Varint(message, ref at);
                    if (field == number) found.Add(message[at..(at + length)]);
                    at += length;
                    break;
                default: throw new FormatException($"wire type {wire}");
            }
        }
        return found;
    }

    static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try { serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
