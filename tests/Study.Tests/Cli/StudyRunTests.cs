using System.Text.Json;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>`study run` and friends as processes, on the embedded silo and store.</summary>
public sealed class StudyRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-run-").FullName;
    string Store => Path.Combine(dir, "studies.db");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly string[] SmallSynthetic = ["--dataset", "synthetic", "--subset", "1024", "--eval-subset", "300", "--batch-size", "128"];

    StudyProcess.Result Study(params string[] args) => StudyProcess.Run(TimeSpan.FromMinutes(5), dir, args);

    [Fact]
    public void RunCompletesAndWritesTheOutputFolder()
    {
        var outDir = Path.Combine(dir, "out");
        var result = Study(["run", .. SmallSynthetic, "--taus", "0.1,0.3,1.0", "--epochs", "2", "--store", Store, "--out", outDir, "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal([0.1, 0.3, 1.0], trials.Select(t => t.GetProperty("tau").GetDouble()));
        Assert.All(trials, t => Assert.Equal(("completed", 2, "cpu"),
            (t.GetProperty("status").GetString(), t.GetProperty("epochs_completed").GetInt32(), t.GetProperty("device").GetString())));
        Assert.Equal("0.107.0", root.GetProperty("versions").GetProperty("torchsharp").GetString());
        Assert.Equal("10.4.2", root.GetProperty("versions").GetProperty("orleans").GetString());
        var best = root.GetProperty("best");
        Assert.Equal("linear_accuracy", best.GetProperty("objective").GetString());
        var bestTrial = trials.Single(t => t.GetProperty("trial_id").GetString() == best.GetProperty("trial_id").GetString());
        Assert.Equal(bestTrial.GetProperty("metrics").GetProperty("val_linear_accuracy").GetDouble(), best.GetProperty("value").GetDouble());
        Assert.Equal(File.ReadAllText(Path.Combine(outDir, "results.json")).Trim(), result.Stdout.Trim());
        var csv = File.ReadAllLines(Path.Combine(outDir, "trials.csv"));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("trial_id,tau,seed,status,epochs_completed,attempts,silo,device,duration_seconds,error,linear_accuracy", csv[0]);
        Assert.All(csv.Skip(1), row => Assert.Equal("cpu", row.Split(',')[7]));
        foreach (var t in trials)
        {
            var folder = Path.Combine(outDir, "trials", t.GetProperty("trial_id").GetString()!);
            var lines = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl"));
            Assert.Equal(2, lines.Length);
            Assert.All(lines, l => Assert.Equal(Reporting.TrialFolderWriterTests.MetricsLineFields,
                JsonDocument.Parse(l).RootElement.EnumerateObject().Select(p => p.Name)));
            Assert.Equal(new long[] { 300, 64 }, NpyFile.Read(Path.Combine(folder, "embeddings.npy")).Shape);
            Assert.True(File.Exists(Path.Combine(folder, "similarities.json")));
        }
        // list and show read the store's own tables; report rewrites the folder from the store alone.
        var id = root.GetProperty("study_id").GetString()!;
        using var list = JsonDocument.Parse(Study("list", "--json", "--store", Store).Stdout);
        var listed = list.RootElement.EnumerateArray().Single();
        Assert.Equal((id, "completed", 3), (listed.GetProperty("study_id").GetString(), listed.GetProperty("status").GetString(), listed.GetProperty("trials").GetInt32()));
        var shown = Study("show", id, "--json", "--store", Store);
        Assert.Equal(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("trials").GetRawText(),
            JsonDocument.Parse(shown.Stdout).RootElement.GetProperty("trials").GetRawText());
        // compare reads the store alone too: a row per τ, and the compute of the study.
        var compared = Study("compare", id, "--store", Store, "--markdown");
        Assert.True(compared.ExitCode == 0, compared.Stderr);
        var rows = compared.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("| study | τ | seeds | val objective |", rows[0]);
        Assert.Equal(["0.1", "0.3", "1"], rows.Skip(2).Take(3).Select(r => r.Split(" | ")[1]));
        // One seed per τ: no interval, and the best τ against each other τ is untested.
        Assert.StartsWith("| study | τ | seeds | val objective 95% CI |", rows[5]);
        Assert.All(rows[7..10], r => Assert.EndsWith(" | 1 | - | - | - |", r));
        Assert.StartsWith("| study | best τ | against τ | seeds shared |", rows[10]);
        Assert.All(rows[12..14], r => Assert.EndsWith(" | 1 | - | - | - | untested |", r));
        Assert.StartsWith("| study | seed | trials |", rows[14]);
        Assert.StartsWith("| infonce, batch | all | 3 | 3 | 0 | 0 | 6 | 6,144 |", rows[16]);
        Assert.EndsWith($" | {best.GetProperty("value").GetDouble():0.0000} | {best.GetProperty("tau").GetDouble():0.####} |", rows[16]);
        Directory.Delete(outDir, recursive: true);
        Assert.Equal(0, Study("report", id, "--store", Store, "--out", outDir).ExitCode);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(outDir, "trials.csv")).Length);
        Assert.True(File.Exists(Path.Combine(outDir, "trials", trials[0].GetProperty("trial_id").GetString()!, "labels.npy")));
    }

    [Fact]
    public void ACosineScheduleShowsInTrialIdsResultsCsvAndReport()
    {
        var outDir = Path.Combine(dir, "cosine");
        var result = Study(["run", "--dataset", "synthetic", "--subset", "256", "--eval-subset", "100", "--batch-size", "128", "--epochs", "2",
            "--tau-schedule", "cosine", "--taus", "0.1:1,0.3:0.6", "--tau-period", "2", "--store", Store, "--out", outDir, "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(("cosine", 2.0), (root.GetProperty("spec").GetProperty("tau_schedule").GetString(), root.GetProperty("spec").GetProperty("tau_period").GetDouble()));
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(["t000-cos0.1to1-s1", "t001-cos0.3to0.6-s1"], trials.Select(t => t.GetProperty("trial_id").GetString()));
        Assert.Equal([(0.1, 1.0), (0.3, 0.6)], trials.Select(t => (t.GetProperty("tau").GetDouble(), t.GetProperty("tau_max").GetDouble())));
        Assert.All(trials, t => Assert.Equal(("cosine", 2.0), (t.GetProperty("tau_schedule").GetString(), t.GetProperty("tau_period").GetDouble())));
        var best = root.GetProperty("best");
        Assert.Equal(trials.Single(t => t.GetProperty("trial_id").GetString() == best.GetProperty("trial_id").GetString()).GetProperty("tau_max").GetDouble(),
            best.GetProperty("tau_max").GetDouble());
        Assert.StartsWith("trial_id,tau,tau_max,seed,", File.ReadAllLines(Path.Combine(outDir, "trials.csv"))[0]);
        // A period of two epochs of two steps each: τ(t) at t = 0, 0.5 | 1, 1.5 is 1, 0.55 | 0.1, 0.55.
        var epochs = File.ReadAllLines(Path.Combine(outDir, "trials", "t000-cos0.1to1-s1", "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("tau").GetDouble()).ToList();
        Assert.Equal(0.775, epochs[0], 9);
        Assert.Equal(0.325, epochs[1], 9);
        var report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("τ schedule cosine", report);
        Assert.Contains("<td>0.1–1</td>", report);
        Assert.Contains("<td>0.3–0.6</td>", report);
    }

    [Fact]
    public void AdaptiveSearchRunsItsBudgetOfDistinctTausInRange()
    {
        var result = Study(["run", "--dataset", "synthetic", "--subset", "256", "--eval-subset", "100", "--batch-size", "128", "--epochs", "1",
            "--search", "adaptive", "--trials", "8", "--tau-range", "0.05:2", "--store", Store, "--out", Path.Combine(dir, "out"), "--json"]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var taus = json.RootElement.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("tau").GetDouble()).ToList();
        Assert.Equal(8, taus.Count);
        Assert.Equal(8, taus.Distinct().Count());
        Assert.All(taus, t => Assert.InRange(t, 0.05, 2));
    }

    [Fact]
    public void AKilledRunResumesFromItsCheckpoints()
    {
        using var run = new ChildProcess(ChildProcess.StudyDll,
            ["run", "--dataset", "synthetic", "--subset", "4096", "--eval-subset", "300", "--batch-size", "128", "--taus", "0.2,0.5", "--epochs", "3", "--store", Store], dir);
        var id = WaitForEpoch(run, minimumEpoch: 1);
        run.KillHard();
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)));

        var resumed = Study("resume", id, "--store", Store, "--out", Path.Combine(dir, "out"), "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        using var json = JsonDocument.Parse(resumed.Stdout);
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.All(trials, t => Assert.Equal(("completed", 3), (t.GetProperty("status").GetString(), t.GetProperty("epochs_completed").GetInt32())));
        // The trials that were training (on 2 cores the embedded silo runs both at once) resumed from their checkpoints:
        // the epochs done before the kill come from the first attempt, the rest from the second.
        var interrupted = trials.Where(t => t.GetProperty("attempts").GetInt32() == 2).ToList();
        Assert.NotEmpty(interrupted);
        var firstEpochAttempts = new List<int>();
        foreach (var trial in interrupted)
        {
            var lines = File.ReadAllLines(Path.Combine(dir, "out", "trials", trial.GetProperty("trial_id").GetString()!, "metrics.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal([1, 2, 3], lines.Select(l => l.GetProperty("epoch").GetInt32()));
            Assert.Equal(2, lines[2].GetProperty("attempt").GetInt32());
            firstEpochAttempts.Add(lines[0].GetProperty("attempt").GetInt32());
        }
        Assert.Contains(1, firstEpochAttempts);
    }

    /// <summary>`kill` (SIGTERM) of a `study run` detaches it as Ctrl-C does; before, the embedded silo's host took the
    /// signal and stopped, and the process waited for ever on a study nobody drove.</summary>
    [Fact]
    public void ATerminatedRunDetachesLeavingTheStudyToResume()
    {
        using var run = new ChildProcess(ChildProcess.StudyDll,
            ["run", "--dataset", "synthetic", "--subset", "1024", "--eval-subset", "300", "--batch-size", "128", "--taus", "0.3", "--epochs", "30", "--store", Store], dir);
        var id = WaitForEpoch(run, minimumEpoch: 1);
        run.Signal(15);
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(60)), "study run did not stop on SIGTERM");
        Assert.Equal(130, run.ExitCode);
        Assert.Contains($"detached; its trials checkpoint and stop with this process. Continue it with: ./study resume {id}", run.Stderr);

        // Detached, not cancelled: the study and its trial wait for `study resume` (which LiveViewTests run after a detach).
        using var shown = JsonDocument.Parse(Study("show", id, "--json", "--store", Store).Stdout);
        Assert.Equal("running", shown.RootElement.GetProperty("status").GetString());
        Assert.All(shown.RootElement.GetProperty("trials").EnumerateArray(),
            t => Assert.DoesNotContain(t.GetProperty("status").GetString(), new[] { "cancelled", "failed", "completed" }));
    }

    [Fact]
    public void CancelStopsARunningStudyAndResumeIsRefusedMeanwhile()
    {
        using var run = new ChildProcess(ChildProcess.StudyDll,
            ["run", "--dataset", "synthetic", "--subset", "2048", "--eval-subset", "300", "--batch-size", "128", "--taus", "0.2,0.5", "--epochs", "50", "--store", Store], dir);
        var id = WaitForEpoch(run, minimumEpoch: 1);

        var refused = Study("resume", id, "--store", Store);
        Assert.Equal(2, refused.ExitCode);
        Assert.Single(refused.StderrLines);
        Assert.Contains("another process", refused.Stderr);

        var cancel = Study("cancel", id, "--store", Store);
        Assert.True(cancel.ExitCode == 0, cancel.Stderr);
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(60)), "the run did not stop after cancel");
        Assert.Equal(1, run.ExitCode); // cancelled by someone else: not completed
        using var shown = JsonDocument.Parse(Study("show", id, "--json", "--store", Store).Stdout);
        Assert.Equal("cancelled", shown.RootElement.GetProperty("status").GetString());
        Assert.All(shown.RootElement.GetProperty("trials").EnumerateArray(), t =>
        {
            Assert.Equal("cancelled", t.GetProperty("status").GetString());
            Assert.True(t.GetProperty("epochs_completed").GetInt32() < 50);
        });
    }

    /// <summary>Waits until the study the process started has a trial past <paramref name="minimumEpoch"/>; returns its id.</summary>
    string WaitForEpoch(ChildProcess run, int minimumEpoch)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < until)
        {
            Assert.False(run.HasExited, $"the run ended early: {run.Stderr}");
            if (File.Exists(Store))
            {
                var list = Study("list", "--json", "--store", Store);
                if (list.ExitCode == 0 && JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } study)
                {
                    var id = study.GetProperty("study_id").GetString()!;
                    var shown = JsonDocument.Parse(Study("show", id, "--json", "--store", Store).Stdout).RootElement;
                    if (shown.GetProperty("trials").EnumerateArray().Any(t => t.GetProperty("epochs_completed").GetInt32() >= minimumEpoch))
                        return id;
                }
            }
            Thread.Sleep(500);
        }
        throw new TimeoutException($"no trial reached epoch {minimumEpoch}: {run.Stderr}");
    }
}
