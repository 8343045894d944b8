using System.Text.Json;
using Study.Grains.Hosting;

namespace Study.Tests.Infrastructure;

/// <summary>
/// What a running Aspire Dashboard has received, read through its telemetry API (/api/telemetry, the key that
/// `study dashboard` wrote to the state file under <c>home</c>): the names of the services that sent it something,
/// their log lines, and every span with the service that sent it.
/// </summary>
public sealed class DashboardTelemetry : IDisposable
{
    readonly HttpClient http;

    public DashboardTelemetry(string home)
    {
        var state = JsonSerializer.Deserialize<LocalDashboard>(File.ReadAllText(Path.Combine(home, "study", "dashboard.json")))!;
        Dashboard = state;
        http = new HttpClient { BaseAddress = new Uri(state.Url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", state.ApiKey);
    }

    public LocalDashboard Dashboard { get; }

    public sealed record Span(string Service, string TraceId, string Name);

    public IReadOnlyList<string> Services() =>
        Get("api/telemetry/resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).Distinct().ToList();

    public IReadOnlyList<string> LogLines(string service) =>
        [.. from resource in Get($"api/telemetry/logs?resource={service}").GetProperty("data").GetProperty("resourceLogs").EnumerateArray()
            from scope in resource.GetProperty("scopeLogs").EnumerateArray()
            from record in scope.GetProperty("logRecords").EnumerateArray()
            select record.GetProperty("body").GetProperty("stringValue").GetString()!];

    public IReadOnlyList<Span> Spans() =>
        [.. from resource in Get("api/telemetry/spans").GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
            let service = ServiceName(resource)
            from scope in resource.GetProperty("scopeSpans").EnumerateArray()
            from span in scope.GetProperty("spans").EnumerateArray()
            select new Span(service, span.GetProperty("traceId").GetString()!, span.GetProperty("name").GetString()!)];

    /// <summary>Asks again until <paramref name="seen"/> holds of the answer, for at most <paramref name="timeout"/>
    /// (exports are batched: seconds apart).</summary>
    public static T Eventually<T>(Func<T> read, Func<T, bool> seen, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = read();
            if (seen(value) || DateTime.UtcNow > until) return value;
            Thread.Sleep(1000);
        }
    }

    static string ServiceName(JsonElement resource) =>
        resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
            .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;

    JsonElement Get(string path)
    {
        using var response = http.GetAsync(path).Result;
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone();
    }

    public void Dispose() => http.Dispose();
}
