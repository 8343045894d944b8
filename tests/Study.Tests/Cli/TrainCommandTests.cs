using System.Text.Json;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>`study train` end to end, as a process: the printed entry, and the trial folder of docs/OUTPUTS.md.</summary>
public sealed class TrainCommandTests : IDisposable
{
    static readonly string[] MetricNames =
        ["linear_accuracy", "knn_accuracy", "val_linear_accuracy", "val_knn_accuracy", "uniformity", "tolerance", "alignment", "loss"];

    readonly string outDir = Directory.CreateTempSubdirectory("study-train-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    [Fact]
    public void TrainsOnSyntheticAndWritesTheTrialFolder()
    {
        var result = StudyProcess.Run("train", "--dataset", "synthetic", "--tau", "0.5", "--epochs", "2", "--subset", "1024",
            "--eval-subset", "400", "--batch-size", "128", "--threads", "2", "--out", outDir, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var entry = AssertTrialEntry(result.Stdout, tau: 0.5, epochs: 2);
        var trialId = entry.GetProperty("trial_id").GetString()!;
        var folder = Path.Combine(outDir, "trials", trialId);

        var lines = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl"));
        Assert.Equal(2, lines.Length);
        foreach (var (line, epoch) in lines.Select((l, i) => (l, i + 1)))
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(epoch, json.RootElement.GetProperty("epoch").GetInt32());
            Assert.Equal(Reporting.TrialFolderWriterTests.MetricsLineFields, json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, json.RootElement.GetProperty("attempt").GetInt32());
            foreach (var name in new[] { "loss", "positive_similarity", "nearest_negative_similarity", "penalty_entropy", "val_knn_accuracy" })
                Assert.True(json.RootElement.GetProperty(name).GetDouble() is var v && double.IsFinite(v), name);
        }

        using (var stored = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "result.json"))))
            Assert.Equal(entry.GetRawText().Replace(" ", "").Replace("\n", ""), stored.RootElement.GetRawText().Replace(" ", "").Replace("\n", ""));

        var embeddings = NpyFile.Read(Path.Combine(folder, "embeddings.npy"));
        Assert.Equal("<f4", embeddings.Descr);
        Assert.False(embeddings.FortranOrder);
        Assert.Equal(new long[] { 400, 64 }, embeddings.Shape);
        Assert.Equal(400 * 64 * 4, embeddings.DataBytes);
        var labels = NpyFile.Read(Path.Combine(folder, "labels.npy"));
        Assert.Equal("<i8", labels.Descr);
        Assert.Equal(new long[] { 400 }, labels.Shape);
        Assert.Equal(400 * 8, labels.DataBytes);

        using var similarities = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "similarities.json")));
        var edges = similarities.RootElement.GetProperty("bin_edges").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var positive = similarities.RootElement.GetProperty("positive").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var nearest = similarities.RootElement.GetProperty("nearest_negatives").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(edges.Length - 1, positive.Length);
        Assert.Equal(400, positive.Sum());
        Assert.Equal(400 * 10, nearest.Sum());
    }

    [Fact]
    public void TrainsOnAFashionMnistSubset()
    {
        var result = StudyProcess.Run("train", "--dataset", "fashion-mnist", "--tau", "0.2", "--epochs", "1", "--subset", "2048",
            "--eval-subset", "500", "--out", outDir, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var entry = AssertTrialEntry(result.Stdout, tau: 0.2, epochs: 1);
        // Ten classes: even one short epoch is well above chance (0.1) on a linear probe.
        Assert.True(entry.GetProperty("metrics").GetProperty("linear_accuracy").GetDouble() > 0.4);
        Assert.True(File.Exists(Path.Combine(outDir, "trials", entry.GetProperty("trial_id").GetString()!, "embeddings.npy")));
    }

    [Fact]
    public async Task InterruptFromTheKeyboardCancelsWithStatus130()
    {
        var dll = Path.Combine(StudyProcess.RepositoryRoot, "Client", "bin", "Release", "net10.0", "study.dll");
        LetChildrenTakeSigint();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { dll, "train", "--dataset", "synthetic", "--epochs", "50", "--subset", "4096", "--out", outDir, "--json" })
            info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        // Wait until it trains (its first epoch line), then send SIGINT as Ctrl-C does.
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null && !line.StartsWith("epoch 1/")) { }
        Assert.NotNull(line);
        Assert.Equal(0, Kill(process.Id, 2));
        var rest = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail("the trial did not stop within 60 s of SIGINT; its stderr since then:\n" + await rest);
        }
        Assert.Equal(130, process.ExitCode);
        var stdout = process.StandardOutput.ReadToEnd();
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("cancelled", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("cancelling", await rest);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    static extern int Kill(int pid, int signal);

    /// <summary>
    /// A test run started in the background by a non-interactive shell (`./test &amp;`) ignores SIGINT, and a child
    /// inherits that across exec: `study train` then rightly ignores Ctrl-C, as any program started that way does
    /// (nohup's rule), and this test would wait for nothing. A terminal's foreground process, which this test plays,
    /// takes SIGINT: give the children the default disposition. Only an ignored SIGINT is changed, so a handler the
    /// runtime installed is never replaced.
    /// </summary>
    static void LetChildrenTakeSigint()
    {
        var ignored = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (ignored is not null && (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0)
            Signal(2, IntPtr.Zero); // SIGINT, SIG_DFL
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "signal")]
    static extern IntPtr Signal(int signal, IntPtr handler);

    static JsonElement AssertTrialEntry(string stdout, double tau, int epochs)
    {
        using var json = JsonDocument.Parse(stdout);
        var entry = json.RootElement.Clone();
        Assert.Equal(tau, entry.GetProperty("tau").GetDouble());
        Assert.Equal("completed", entry.GetProperty("status").GetString());
        Assert.Equal(epochs, entry.GetProperty("epochs_completed").GetInt32());
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("error").ValueKind);
        Assert.True(entry.GetProperty("duration_seconds").GetDouble() > 0);
        var metrics = entry.GetProperty("metrics");
        foreach (var name in MetricNames)
            Assert.True(metrics.GetProperty(name).ValueKind == JsonValueKind.Number, $"metric {name} is missing");
        Assert.InRange(metrics.GetProperty("uniformity").GetDouble(), 0, 4.1);
        Assert.InRange(metrics.GetProperty("tolerance").GetDouble(), -1, 1);
        Assert.InRange(metrics.GetProperty("linear_accuracy").GetDouble(), 0, 1);
        return entry;
    }
}
