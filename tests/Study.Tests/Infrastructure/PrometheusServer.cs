using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Study.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's; ./test installs 2.53 from trixie) on a free loopback port, scraping the given
/// targets every second, with its OTLP receiver on where the build has one: upstream 2.47+ does, behind
/// --enable-feature=otlp-write-receiver, but Debian builds it without (trixie's 2.53: "Disable OTLP Ingestion
/// endpoint" in its changelog), so whether it answers is asked of the running server. Its HTTP API answers queries.
/// </summary>
public sealed partial class PrometheusServer : IDisposable
{
    readonly Process process;
    readonly string dir;
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(20) };

    public int Port { get; }
    public Version Version { get; }
    public bool HasOtlpReceiver { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    /// <summary>Where an OTLP/HTTP metrics exporter sends (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT).</summary>
    public string OtlpMetricsEndpoint => $"{Url}/api/v1/otlp/v1/metrics";

    public PrometheusServer(string job, IEnumerable<int> metricsPorts)
    {
        Version = InstalledVersion();
        Port = FreePorts.Next();
        dir = Directory.CreateTempSubdirectory("study-prometheus-").FullName;
        var targets = string.Join(", ", metricsPorts.Select(p => $"'127.0.0.1:{p}'"));
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: {job}
                static_configs:
                  - targets: [{targets}]
            """);
        var info = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { $"--config.file={dir}/prometheus.yml", $"--storage.tsdb.path={dir}/data", $"--web.listen-address=127.0.0.1:{Port}" })
            info.ArgumentList.Add(a);
        if (Version >= new Version(2, 47)) info.ArgumentList.Add("--enable-feature=otlp-write-receiver");
        process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try { if (http.GetAsync($"{Url}/-/ready").Result.IsSuccessStatusCode) break; } catch (Exception) { }
            if (process.HasExited || DateTime.UtcNow > until) throw new InvalidOperationException("prometheus did not start");
            Thread.Sleep(200);
        }
        // Without the receiver the path is unknown (404); with it, an empty request is answered otherwise.
        using var probe = new ByteArrayContent([]);
        probe.Headers.ContentType = new("application/x-protobuf");
        HasOtlpReceiver = http.PostAsync(OtlpMetricsEndpoint, probe).Result.StatusCode != System.Net.HttpStatusCode.NotFound;
    }

    static Version InstalledVersion()
    {
        var info = new ProcessStartInfo("prometheus", "--version") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(info) ?? throw new InvalidOperationException("prometheus is not installed: run ./test (it installs it)");
        var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return Version.Parse(VersionPattern().Match(text).Groups[1].Value);
    }

    [GeneratedRegex(@"version (\d+\.\d+\.\d+)")]
    private static partial Regex VersionPattern();

    /// <summary>The series of a range query over [from, now] at 1 s steps: each series' labels and its number of samples.</summary>
    public async Task<List<(Dictionary<string, string> Labels, int Samples)>> QueryRange(string promql, DateTimeOffset from)
    {
        var now = DateTimeOffset.UtcNow;
        var url = $"{Url}/api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={from.ToUnixTimeSeconds()}&end={now.ToUnixTimeSeconds() + 1}&step=1";
        using var doc = await Get(url);
        return doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => (s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                          s.GetProperty("values").GetArrayLength()))
            .ToList();
    }

    /// <summary>An instant query's series: labels and value.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> Query(string promql)
    {
        using var doc = await Get($"{Url}/api/v1/query?query={Uri.EscapeDataString(promql)}");
        return doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => (s.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                          double.Parse(s.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    public async Task<HashSet<string>> MetricNames()
    {
        using var doc = await Get($"{Url}/api/v1/label/__name__/values");
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetString()!).ToHashSet();
    }

    async Task<JsonDocument> Get(string url)
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"prometheus: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    public void Dispose()
    {
        try { if (!process.HasExited) { process.Kill(); process.WaitForExit(5000); } } catch { }
        process.Dispose();
        http.Dispose();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
