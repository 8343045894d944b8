using System.Diagnostics;
using Microsoft.Playwright;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Telemetry;

/// <summary>
/// What a user sees: `study dashboard` starts the real Aspire Dashboard, a `study run` started after it sends it its
/// telemetry without any setting, and Chromium, logged in with the printed address, shows the study's logs, metrics
/// and first trial's spans while it runs, and its whole trace — trials and epochs, with their attributes — once it ends. STUDY_UPDATE_SCREENSHOTS=1
/// writes the pages to docs/figures for docs/TELEMETRY.md.
/// </summary>
public sealed class AspireDashboardTests : IDisposable
{
    readonly string home = Directory.CreateTempSubdirectory("study-dashboard-").FullName;

    Dictionary<string, string> Environment => new() { ["XDG_DATA_HOME"] = home };

    [Fact]
    public async Task TheDashboardShowsTheStudysLogsAndMetricsLiveAndItsTrace()
    {
        int port = FreePorts.NextOfThree();
        var started = StudyProcess.Run(TimeSpan.FromMinutes(2), home, Environment, "dashboard", "--port", port.ToString());
        Assert.True(started.ExitCode == 0, started.Stderr);
        var login = started.Stdout.Split('\n')[0];
        Assert.StartsWith($"dashboard: http://127.0.0.1:{port}/login?t=", login);
        var site = $"http://127.0.0.1:{port}";

        // One trial at a time: the first one's spans are in the trace while the second still trains.
        using var run = new ChildProcess(ChildProcess.StudyDll, ["run", "--dataset", "synthetic", "--taus", "0.1,1.0", "--epochs", "3", "--parallel", "1",
            "--store", Path.Combine(home, "studies.db"), "--out", Path.Combine(home, "out")], home, Environment);
        await using var chromium = await HeadlessChromium.Start();
        var page = chromium.Page;
        await page.GotoAsync(login["dashboard: ".Length..].Trim());

        // Live: the silo's and the client's log lines, and the study's metrics, while the study still runs.
        await page.GotoAsync(site + "/structuredlogs");
        await Expect(page, "started in this process");                 // the client's
        await Expect(page, "epoch 1: loss");                           // the silo's trial runner
        await Screenshot(page, "dashboard-logs.png");
        await OpenInstrument(page, site + "/metrics/resource/study-embedded?meter=Study&instrument=study.epochs&duration=5");
        await page.GetByText("Table", new() { Exact = true }).ClickAsync();
        // The table marks each rise of the count with an icon titled so: the epochs counted up from 0.
        await Assertions.Expect(page.Locator("title", new() { HasText = "Value increased" }).First).ToBeAttachedAsync(new() { Timeout = 180_000 });
        await Screenshot(page, "dashboard-metrics.png");
        await page.GotoAsync(site + "/traces");
        await page.GetByText("study-embedded:").First.ClickAsync();
        // Exactly the trial's span ("start trial …" has the name in it too, and is there from the trial's start).
        await Assertions.Expect(page.GetByText("trial t000-tau0.1-s1", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 180_000 });
        Assert.False(run.HasExited, "the study ended before its logs, metrics and first trial's spans were seen: they were not live");

        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(8)), "the study did not end in 8 minutes");
        Assert.True(run.ExitCode == 0, run.Stderr);

        // The study's trace, alone: Orleans's timer, reminder and membership ticks start no trace of their own.
        await page.GotoAsync(site + "/traces");
        await Expect(page, "Showing 1 trace");
        await page.GetByText("study-embedded: study run").ClickAsync();
        foreach (var span in new[] { "start trial t000-tau0.1-s1", "trial t000-tau0.1-s1", "trial t001-tau1-s1", "epoch 3" })
            await Expect(page, span);
        await page.GetByText("trial t001-tau1-s1", new() { Exact = true }).First.ClickAsync();
        foreach (var attribute in new[] { "study.tau", "study.seed", "study.slot", "study.device", "study.status" })
            await Expect(page, attribute);
        await Screenshot(page, "dashboard-trace.png");

        var stopped = StudyProcess.Run(TimeSpan.FromMinutes(1), home, Environment, "dashboard", "--stop");
        Assert.Equal("dashboard: stopped", stopped.Stdout.Trim());
        Assert.False(File.Exists(Path.Combine(home, "study", "dashboard.json")));
    }

    /// <summary>`run --dashboard` with none running: it starts one (on a free port from 18888 on), sends it the study,
    /// and leaves it running for the next command, which finds it.</summary>
    [Fact]
    public void RunWithDashboardStartsOneAndSendsItTheStudy()
    {
        var run = StudyProcess.Run(TimeSpan.FromMinutes(5), home, Environment, "run", "--dashboard", "--dataset", "synthetic", "--taus", "0.5",
            "--epochs", "1", "--store", Path.Combine(home, "studies.db"), "--out", Path.Combine(home, "out"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var telemetry = new DashboardTelemetry(home);
        Assert.Contains($"study: telemetry to the dashboard at {telemetry.Dashboard.LoginUrl}", run.StderrLines);
        Assert.True(Grains.Hosting.LocalDashboard.IsDashboardProcess(telemetry.Dashboard.Pid), "the dashboard ended with the run");

        var spans = DashboardTelemetry.Eventually(telemetry.Spans, s => s.Any(x => x.Name == "epoch 1") && s.Any(x => x.Name == "trial t000-tau0.5-s1"),
            TimeSpan.FromSeconds(30));
        Assert.Contains(new DashboardTelemetry.Span("study-embedded", spans.Single(s => s.Name == "study run").TraceId, "trial t000-tau0.5-s1"), spans);
        var logs = DashboardTelemetry.Eventually(() => telemetry.LogLines("study-embedded"), l => l.Any(x => x.EndsWith("ended: completed")), TimeSpan.FromSeconds(30));
        Assert.Contains(logs, l => l.StartsWith("study study-") && l.EndsWith("ended: completed"));

        var again = StudyProcess.Run(TimeSpan.FromMinutes(1), home, Environment, "dashboard");
        Assert.Equal($"dashboard: {telemetry.Dashboard.LoginUrl}", again.Stdout.Split('\n')[0]);
    }

    static async Task Expect(IPage page, string text) =>
        await Assertions.Expect(page.GetByText(text).First).ToBeVisibleAsync(new() { Timeout = 180_000 });

    /// <summary>Opens an instrument's page, again until the instrument has arrived (its first export is seconds away).</summary>
    static async Task OpenInstrument(IPage page, string url)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await page.GotoAsync(url);
            try
            {
                await Assertions.Expect(page.GetByText("Table", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (PlaywrightException) when (clock.Elapsed < TimeSpan.FromMinutes(3)) { }
        }
    }

    internal static async Task Screenshot(IPage page, string name)
    {
        if (System.Environment.GetEnvironmentVariable("STUDY_UPDATE_SCREENSHOTS") != "1") return;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(StudyProcess.RepositoryRoot, "docs", "figures", name) });
    }

    public void Dispose()
    {
        StudyProcess.Run(TimeSpan.FromMinutes(1), home, Environment, "dashboard", "--stop");
        Directory.Delete(home, recursive: true);
    }
}
