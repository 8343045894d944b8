using System.Text.Json;
using Study.Tests.Cli;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Slots that train in worker processes (the default on GPUs; <c>STUDY_SLOT_ISOLATION=process</c> for an embedded run):
/// the same results as slot threads, and a worker that dies takes only its own trial with it.
/// </summary>
public sealed class SlotIsolationTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-isolation-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string[] Study(string name, string taus, int epochs, int subset) =>
        ["run", "--dataset", "synthetic", "--taus", taus, "--epochs", $"{epochs}", "--subset", $"{subset}", "--eval-subset", "300",
         "--batch-size", "128", "--parallel", "1", "--store", Path.Combine(dir, name + ".db"), "--out", Path.Combine(dir, name), "--json"];

    ChildProcess Start(string isolation, string[] args) =>
        new(ChildProcess.StudyDll, args, dir, new Dictionary<string, string> { ["STUDY_SLOT_ISOLATION"] = isolation });

    [Fact]
    public void WorkerProcessesGiveTheResultsOfSlotThreads()
    {
        // With ASHA's one rung at epoch 1, trials pause there at their checkpoint (the worker told so, and stopping) and
        // resume from it when promoted; the study ends with η = 3 finalists completed, so every paused trial resumes: the
        // same in a worker process as on a slot thread.
        var results = new Dictionary<string, string>();
        foreach (var isolation in new[] { "thread", "process" })
        {
            using var run = Start(isolation, [.. Study(isolation, "0.2,0.5,1.0", epochs: 2, subset: 1024), "--pruner", "asha"]);
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(5)), $"{isolation}: study run did not end");
            Assert.True(run.ExitCode == 0, $"{isolation}: {run.Stderr}");
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, isolation, "results.json")));
            var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
            Assert.All(trials, t => Assert.Equal("cpu", t.GetProperty("device").GetString()));
            var ended = trials.Select(t => (t.GetProperty("status").GetString(), t.GetProperty("epochs_completed").GetInt32())).Order().ToList();
            Assert.Equal([("completed", 2), ("completed", 2), ("completed", 2)], ended);
            // The first two paused at once and resumed (a second attempt each); the third went on at once if it was the best.
            var attempts = trials.ToDictionary(t => t.GetProperty("trial_id").GetString()![..4], t => t.GetProperty("attempts").GetInt32());
            // The same check as Assert.Equal((2, 2), …), with the run's log when it fails: a third attempt is the coordinator
            // moving a trial, and the log says why.
            Assert.True((attempts["t000"], attempts["t001"]) == (2, 2),
                $"{isolation}: attempts t000 {attempts["t000"]}, t001 {attempts["t001"]} (expected 2 each); the run's log:\n{run.Stderr}");
            double RungValue(JsonElement t) => JsonDocument.Parse(File.ReadLines(Path.Combine(dir, isolation, "trials",
                t.GetProperty("trial_id").GetString()!, "metrics.jsonl")).First()).RootElement.GetProperty("val_knn_accuracy").GetDouble();
            bool thirdBest = trials.MaxBy(RungValue)!.GetProperty("trial_id").GetString()!.StartsWith("t002");
            Assert.Equal(thirdBest ? 1 : 2, attempts["t002"]);
            results[isolation] = string.Join("\n", trials.Select(t => t.GetProperty("status").GetString() + t.GetProperty("metrics").GetRawText()));
        }
        Assert.Equal(results["thread"], results["process"]);
        Assert.Empty(SlotWorkers.Of(Environment.ProcessId));
    }

    [Fact]
    public void AWorkerKilledMidTrialFailsThatTrialOnlyAndTheStudyGoesOn()
    {
        using var run = Start("process", Study("killed", "0.2,0.5", epochs: 3, subset: 4096));
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        IReadOnlyList<int> workers = [];
        while (workers.Count == 0 || !run.Stderr.Contains("epoch 1 loss"))
        {
            Assert.False(run.HasExited, run.Stderr);
            Assert.True(DateTime.UtcNow < until, "no worker trained an epoch:\n" + run.Stderr);
            workers = SlotWorkers.Of(run.Id);
            Thread.Sleep(200);
        }
        var victim = Assert.Single(workers);
        Assert.Equal(0, Kill(victim, 9));

        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(5)), "study run did not end");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "killed", "results.json")));
        var trials = json.RootElement.GetProperty("trials").EnumerateArray().ToList();
        var failed = Assert.Single(trials, t => t.GetProperty("status").GetString() == "failed");
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains("worker process", error);
        Assert.Contains("killed by signal 9", error);
        Assert.Single(trials, t => t.GetProperty("status").GetString() == "completed" && t.GetProperty("epochs_completed").GetInt32() == 3);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);
}
