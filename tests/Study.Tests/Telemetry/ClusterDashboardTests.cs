using Microsoft.Playwright;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Telemetry;

/// <summary>
/// A cluster of real processes in the dashboard: `study dashboard`, then a `./silo` on PostgreSQL and a
/// `study run --cluster` (started with no OTEL_* setting, so both find the dashboard themselves). Each process is a
/// service of its own, with its own log lines, and the client's command and the silo's trials are one trace, which
/// Chromium shows with both services in it.
/// </summary>
[Trait(Tier.Key, Tier.Cluster)]
[Collection(PostgresCollection.Name)]
public sealed class ClusterDashboardTests(PostgresServer postgres) : IDisposable
{
    readonly string home = Directory.CreateTempSubdirectory("study-cluster-dashboard-").FullName;

    Dictionary<string, string> Environment => new() { ["XDG_DATA_HOME"] = home };

    [Fact]
    public async Task TheSilosAndTheClientsTelemetryMeetInOneTrace()
    {
        var connection = postgres.CreateDatabase();
        var started = StudyProcess.Run(TimeSpan.FromMinutes(2), home, Environment, "dashboard", "--port", FreePorts.NextOfThree().ToString());
        Assert.True(started.ExitCode == 0, started.Stderr);
        using var silo = ClusterSilo.Start(connection, home, "silo-a", environment: Environment).Process;
        using var telemetry = new DashboardTelemetry(home);
        Assert.Contains($"silo: telemetry to the dashboard at {telemetry.Dashboard.Url}", silo.Stderr);

        var run = StudyProcess.Run(TimeSpan.FromMinutes(6), home, Environment, "run", "--cluster", connection, "--dataset", "synthetic",
            "--taus", "0.1,1.0", "--epochs", "2", "--subset", "3072", "--eval-subset", "300", "--batch-size", "128", "--out", Path.Combine(home, "out"));
        Assert.True(run.ExitCode == 0, run.Stderr);

        var services = DashboardTelemetry.Eventually(telemetry.Services, s => s.Contains("study-silo") && s.Contains("study-client"), TimeSpan.FromSeconds(30));
        Assert.Contains("study-silo", services);
        Assert.Contains("study-client", services);
        var siloLines = DashboardTelemetry.Eventually(() => telemetry.LogLines("study-silo"), l => l.Any(x => x.Contains("epoch 2: loss")), TimeSpan.FromSeconds(30));
        Assert.Contains(siloLines, l => l.StartsWith("trial t000-tau0.1-s1 of study ") && l.Contains("started on slot 0 (cpu)"));
        Assert.Contains(siloLines, l => l.Contains("epoch 2: loss"));
        var clientLines = DashboardTelemetry.Eventually(() => telemetry.LogLines("study-client"), l => l.Any(x => x.EndsWith("ended: completed")), TimeSpan.FromSeconds(30));
        Assert.Contains(clientLines, l => l.Contains("started on the cluster: 2 trials"));
        Assert.Contains(clientLines, l => l.EndsWith("ended: completed"));
        Assert.DoesNotContain(clientLines, l => l.Contains("epoch 1: loss"));

        // The command's span and, under it across the gateway, the silo's trials and epochs. The silo exports in
        // batches, seconds apart, and a trial's span ends after its evaluation: wait for all of them.
        string[] expected = ["trial t000-tau0.1-s1", "trial t001-tau1-s1", "epoch 2"];
        bool AllIn(IReadOnlyList<DashboardTelemetry.Span> s) => s.SingleOrDefault(x => x.Service == "study-client" && x.Name == "study run") is { } run
            && expected.All(name => s.Contains(new DashboardTelemetry.Span("study-silo", run.TraceId, name)));
        var spans = DashboardTelemetry.Eventually(telemetry.Spans, AllIn, TimeSpan.FromSeconds(30));
        var trace = spans.Single(s => s.Service == "study-client" && s.Name == "study run").TraceId;
        foreach (var name in expected)
            Assert.Contains(new DashboardTelemetry.Span("study-silo", trace, name), spans);

        await using var chromium = await HeadlessChromium.Start();
        var page = chromium.Page;
        await page.GotoAsync(telemetry.Dashboard.LoginUrl);
        await page.GotoAsync(telemetry.Dashboard.Url + "/traces");
        await page.GetByText("study-client: study run").ClickAsync();
        await Assertions.Expect(page.GetByText("trial t001-tau1-s1", new() { Exact = true }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("study-silo").First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("study-client").First).ToBeVisibleAsync();
        await AspireDashboardTests.Screenshot(page, "dashboard-cluster-trace.png");
    }

    public void Dispose()
    {
        StudyProcess.Run(TimeSpan.FromMinutes(1), home, Environment, "dashboard", "--stop");
        Directory.Delete(home, recursive: true);
    }
}
