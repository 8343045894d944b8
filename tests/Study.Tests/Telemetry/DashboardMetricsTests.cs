using System.Net.Http;
using System.Text.Json;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Telemetry;

/// <summary>
/// The dashboards against the real thing: PostgreSQL, two `./silo` processes running a study (one killed mid-way,
/// so restarts and missed membership pings happen), a real Prometheus scraping both, and the client and silos
/// sending their spans by OTLP. Every metric a dashboard names exists, every dashboard expression returns data, a
/// trial's series end with it, one silo's metrics also arrive through Prometheus's OTLP receiver, and the study
/// is one trace from the client's command to the trials' epochs.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DashboardMetricsTests(PostgresServer postgres) : IDisposable
{
    /// <summary>Metrics only a rare event creates, which an ordinary study does not provoke; their expressions must
    /// still return data (`or vector(0)`).</summary>
    static readonly Dictionary<string, string> EventOnly = new()
    {
        ["orleans_scheduler_long_running_turns_total"] = "a grain turn longer than Orleans's limit",
        ["orleans_messaging_pings_reply_missed_total"] = "a silo that stops answering (this test kills one later, and checks it then)",
    };

    /// <summary>Metrics only a silo with an NVIDIA GPU makes. These silos train on the CPU: no series (not a 0 that
    /// would read as an empty GPU), and their panels say so in words (noValue) rather than "No data".</summary>
    static readonly string[] GpuOnly = ["study_gpu_memory_usage_bytes", "study_gpu_memory_limit_bytes"];

    readonly string dir = Directory.CreateTempSubdirectory("study-dashboards-").FullName;
    readonly List<IDisposable> owned = [];

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(owned)) d.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task DashboardsShowARunningStudyFromRealSilosThroughPrometheus()
    {
        var start = DateTimeOffset.UtcNow.AddSeconds(-5);
        var connection = postgres.CreateDatabase();
        int[] metricsPorts = [FreePorts.Next(), FreePorts.Next()];
        var prometheus = Own(new PrometheusServer("study-silo", metricsPorts));
        var traces = Own(new OtlpTraceReceiver());
        var tracing = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = traces.Endpoint,
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        // Silo A also pushes its metrics to Prometheus's OTLP receiver, under its own service name (job).
        var siloA = new Dictionary<string, string>(tracing) { ["OTEL_SERVICE_NAME"] = "study-silo-a" };
        if (prometheus.HasOtlpReceiver)
        {
            siloA["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = prometheus.OtlpMetricsEndpoint;
            siloA["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] = "http/protobuf";
            siloA["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        }
        var silos = new Dictionary<int, ChildProcess>
        {
            [0] = StartSilo(connection, "silo-a", metricsPorts[0], siloA),
            [1] = StartSilo(connection, "silo-b", metricsPorts[1], tracing),
        };

        var submit = StudyProcess.Run(TimeSpan.FromMinutes(2), dir, new Dictionary<string, string>(tracing) { ["OTEL_SERVICE_NAME"] = "study-client" },
            "submit", "--cluster", connection, "--dataset", "synthetic", "--taus", "0.1,0.3,0.5,1", "--epochs", "3",
            "--subset", "3072", "--eval-subset", "300", "--batch-size", "128");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var id = submit.Stdout.Trim().Split('\n')[^1];

        // Live: Prometheus sees the running trials' gauges; once a trial is past its first epoch, every panel of the
        // dashboards shows a value for this ordinary grid study (0 where nothing happened); then that trial's silo dies.
        await WaitFor(async () => (await prometheus.Query($"study_trial_loss{{study=\"{id}\"}}")).Count > 0, "no running trial's loss reached Prometheus");
        var victim = await WaitForTrainedSilo(prometheus, id, metricsPorts);
        await EveryPanelHasData(prometheus, id, start);
        silos[victim].KillHard();

        var watched = StudyProcess.Run(TimeSpan.FromMinutes(6), dir, "watch", id, "--cluster", connection, "--json");
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        using (var results = JsonDocument.Parse(watched.Stdout))
            Assert.All(results.RootElement.GetProperty("trials").EnumerateArray(), t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        var survivorPort = metricsPorts[1 - victim];
        await WaitFor(async () => (await prometheus.Query($"study_trials{{study=\"{id}\",state=\"completed\"}}")).Sum(s => s.Value) == 4,
            "Prometheus never saw the study's 4 completed trials");
        await WaitFor(async () => (await prometheus.Query("orleans_messaging_pings_reply_missed_total")).Count > 0, "no missed ping after a silo died", 90);

        // A trial's series end with it: the surviving silo exposes no per-trial gauge once the study is done.
        using (var http = new HttpClient())
        {
            var text = await http.GetStringAsync($"http://127.0.0.1:{survivorPort}/metrics");
            Assert.DoesNotContain("study_trial_loss{", text);
            Assert.Contains("study_training_images_total{", text);
        }

        // Where this Prometheus has no OTLP receiver, InstrumentExportTests checks the OTLP side's pipeline with
        // OpenTelemetry's in-memory exporter instead.
        if (prometheus.HasOtlpReceiver)
            Assert.NotEmpty(await prometheus.Query("study_slots{job=\"study-silo-a\"}"));

        AssertOneTrace(traces, id);
    }

    static async Task EveryPanelHasData(PrometheusServer prometheus, string id, DateTimeOffset start)
    {
        var names = await prometheus.MetricNames();
        var queries = DashboardQueries.All();
        Assert.Contains(queries, q => q.Dashboard == "study.json");
        Assert.Contains(queries, q => q.Dashboard == "cluster.json");
        var missing = queries.SelectMany(q => DashboardQueries.MetricNames(q.Expr).Select(n => (q, n)))
            .Where(x => !names.Contains(x.n) && !EventOnly.ContainsKey(x.n) && !GpuOnly.Contains(x.n) && x.n is not "up")
            .Select(x => $"{x.q.Dashboard} '{x.q.Panel}': {x.n}").Distinct().ToList();
        Assert.True(missing.Count == 0, "metrics the dashboards name that Prometheus never received:\n" + string.Join("\n", missing));
        Assert.DoesNotContain(GpuOnly, names.Contains);
        var empty = new List<string>();
        foreach (var q in queries)
        {
            var series = await prometheus.QueryRange(DashboardQueries.AsPromQL(q.Expr, id), start);
            if (DashboardQueries.MetricNames(q.Expr).Any(GpuOnly.Contains))
                Assert.True(series.Count == 0 && q.NoValue is { Length: > 0 }, $"{q.Dashboard} '{q.Panel}': CPU silos must send no GPU figure, and the panel must say why it is empty");
            else if (series.Sum(s => s.Samples) == 0) empty.Add($"{q.Dashboard} '{q.Panel}': {q.Expr}");
        }
        Assert.True(empty.Count == 0, "dashboard expressions without data:\n" + string.Join("\n", empty));
    }

    /// <summary>The client's command span is the root of the study's trace, and every span of the coordinator's
    /// trial starts, of the attempts and of their epochs is in that same trace.</summary>
    static void AssertOneTrace(OtlpTraceReceiver traces, string studyId)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!traces.Spans.Any(s => s.Name.StartsWith("epoch ")) && DateTime.UtcNow < until) Thread.Sleep(200);
        var spans = traces.Spans;
        var root = Assert.Single(spans, s => s.Name == "study submit");
        Assert.Equal("study-client", root.Service);
        var ours = spans.Where(s => s.Name.StartsWith("start trial ") || s.Name.StartsWith("trial ") || s.Name.StartsWith("epoch ")).ToList();
        Assert.Contains(ours, s => s.Name.StartsWith("start trial "));
        Assert.Contains(ours, s => s.Name.StartsWith("trial "));
        Assert.Contains(ours, s => s.Name.StartsWith("epoch "));
        Assert.All(ours, s => Assert.Equal(root.TraceId, s.TraceId));
        Assert.Contains(spans, s => s.TraceId == root.TraceId && s.Service.StartsWith("study-silo") && s.ParentSpanId != "");
    }

    async Task<int> WaitForTrainedSilo(PrometheusServer prometheus, string id, int[] metricsPorts)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            // A trial whose objective gauge exists has finished an epoch; the instance label names its silo.
            var trained = await prometheus.Query($"study_trial_objective{{study=\"{id}\",job=\"study-silo\"}}");
            if (trained.Count > 0) return Array.IndexOf(metricsPorts, int.Parse(trained[0].Labels["instance"].Split(':')[1]));
            Assert.True(DateTime.UtcNow < until, "no trial finished an epoch");
            await Task.Delay(300);
        }
    }

    ChildProcess StartSilo(string connection, string name, int metricsPort, IDictionary<string, string> environment) =>
        Own(ClusterSilo.Start(connection, dir, name, environment: environment, metricsPort: metricsPort).Process);

    static async Task WaitFor(Func<Task<bool>> condition, string failure, int seconds = 180)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, failure);
            await Task.Delay(500);
        }
    }

    T Own<T>(T disposable) where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }
}
