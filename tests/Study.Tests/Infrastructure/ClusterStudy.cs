using System.Text.Json;
using Study.Tests.Cli;
using Xunit;

namespace Study.Tests.Infrastructure;

/// <summary>A study on a multi-process cluster as the tests follow it through `study show` and `study watch`.</summary>
public static class ClusterStudy
{
    /// <summary>The silo address ("IP:PORT@GENERATION") of a running trial past its first epoch, once two silos
    /// train at once.</summary>
    public static string SiloOfATrainedTrialOnceBothTrain(string dir, string id, string connection)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            using var shown = JsonDocument.Parse(StudyProcess.Run(TimeSpan.FromMinutes(1), dir, "show", id, "--json", "--cluster", connection).Stdout);
            var running = shown.RootElement.GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("status").GetString() == "running").ToList();
            if (running.Select(t => t.GetProperty("silo").GetString()).Distinct().Count() == 2
                && running.FirstOrDefault(t => t.GetProperty("epochs_completed").GetInt32() >= 1) is { ValueKind: JsonValueKind.Object } trained)
                return trained.GetProperty("silo").GetString()!;
            Assert.True(DateTime.UtcNow < until, "the two silos never trained at once");
            Thread.Sleep(300);
        }
    }

    /// <summary>`study watch ID --json --out DIR/out` until the study ends (exit 0 asserted): its trials, each with the
    /// epochs its metrics.jsonl holds, in order.</summary>
    public static List<(JsonElement Trial, int[] Epochs)> Watch(string dir, string id, string connection, TimeSpan within)
    {
        var watched = StudyProcess.Run(within, dir, "watch", id, "--cluster", connection, "--json", "--out", Path.Combine(dir, "out"));
        Assert.True(watched.ExitCode == 0, watched.Stderr);
        using var results = JsonDocument.Parse(watched.Stdout);
        return [.. results.RootElement.GetProperty("trials").EnumerateArray().Select(t => (t.Clone(),
            File.ReadAllLines(Path.Combine(dir, "out", "trials", t.GetProperty("trial_id").GetString()!, "metrics.jsonl"))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()).ToArray()))];
    }
}
