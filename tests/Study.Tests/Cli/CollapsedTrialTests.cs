using System.Text.Json;
using Spectre.Console;
using Study.Client.Progress;
using Study.Grains.Storage;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>
/// Issue 20: a trial whose embedding collapses stops as <c>collapsed</c>, a state of its own everywhere a state is
/// shown — results.json, trials.csv, show, the plain and live progress, the report — and a study in which every
/// trial collapsed has failed. The collapse is real: an InstDisc bank with the plain `mlp` head (no batch norm) on
/// synthetic images collapses in its first epochs.
/// </summary>
public sealed class CollapsedTrialTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-collapsed-").FullName;
    string Store => Path.Combine(dir, "studies.db");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    StudyProcess.Result Study(params string[] args) => StudyProcess.Run(TimeSpan.FromMinutes(5), dir, args);

    [Fact]
    public async Task ACollapsedTrialIsCollapsedEverywhereAStateIsShown()
    {
        var outDir = Path.Combine(dir, "out");
        var run = Study("run", "--dataset", "synthetic", "--negatives", "memory-bank", "--taus", "0.2,1.0", "--epochs", "4", "--subset", "2048",
            "--batch-size", "128", "--eval-subset", "300", "--store", Store, "--out", outDir, "--json");
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Stderr}");
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.Equal("failed", json.RootElement.GetProperty("status").GetString());
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.All(trials, t =>
        {
            Assert.Equal("collapsed", t.GetProperty("status").GetString());
            Assert.InRange(t.GetProperty("epochs_completed").GetInt32(), 2, 3);
            Assert.StartsWith("collapsed: validation uniformity ", t.GetProperty("error").GetString());
        });
        var id = json.RootElement.GetProperty("study_id").GetString()!;
        var ids = trials.Select(t => t.GetProperty("trial_id").GetString()!).ToList();

        // Plain progress (stderr when not a terminal) names the collapse as it happens.
        Assert.All(ids, trial => Assert.Contains($"{trial}: collapsed: validation uniformity", run.Stderr));
        Assert.All(File.ReadAllLines(Path.Combine(outDir, "trials.csv")).Skip(1), row => Assert.Equal("collapsed", row.Split(',')[3]));
        foreach (var (trial, epochs) in trials.Select(t => (t.GetProperty("trial_id").GetString()!, t.GetProperty("epochs_completed").GetInt32())))
            Assert.Equal(epochs, File.ReadAllLines(Path.Combine(outDir, "trials", trial, "metrics.jsonl")).Length);
        var show = Study("show", id, "--store", Store);
        Assert.Equal(2, show.Stdout.Split('\n').Count(l => l.Contains(" collapsed ")));
        using (var listed = JsonDocument.Parse(Study("list", "--json", "--store", Store).Stdout))
            Assert.Equal("failed", listed.RootElement.EnumerateArray().Single().GetProperty("status").GetString());
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Equal(2, html.Split("<tr class=\"status-collapsed\">").Length - 1);
        Assert.Contains($"collapsed after", html);

        await using var store = new SqliteStudyStore(Store);
        var model = await StudyProgressModel.Read(store, id);
        Assert.Equal((2, 0), (model.Collapsed, model.Done));
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 100;
        console.Write(LiveProgress.Render(model, null, 100));
        var screen = writer.ToString();
        Assert.Contains("2 collapsed", screen);
        Assert.All(screen.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 100, $"{line.TrimEnd().Length} columns: {line}"));
        Assert.Equal(["0.2", "1"], screen.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\s*(\S+)\s+collapsed\s"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value));
    }

    [Fact]
    public void WithTheCheckOffTheSameTrialRunsToTheEnd()
    {
        var run = Study("run", "--dataset", "synthetic", "--negatives", "memory-bank", "--taus", "0.2", "--epochs", "3", "--subset", "2048",
            "--batch-size", "128", "--eval-subset", "300", "--collapse-check", "off", "--store", Store, "--out", Path.Combine(dir, "off"), "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var trial = json.RootElement.GetProperty("trials").EnumerateArray().Single();
        Assert.Equal(("completed", 3), (trial.GetProperty("status").GetString(), trial.GetProperty("epochs_completed").GetInt32()));
        Assert.InRange(trial.GetProperty("metrics").GetProperty("uniformity").GetDouble(), 0, 0.01);
        Assert.False(json.RootElement.GetProperty("spec").GetProperty("collapse_check").GetBoolean());
    }
}
