using System.Text.Json;
using Study.Client.Reporting;
using Study.Grains.Storage;
using Study.Tests.Cli;
using Study.Training.Trainer;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Reporting;

/// <summary>The one writer of trials/&lt;trial_id&gt;/ (docs/OUTPUTS.md), which `study train` and the study reports share.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class TrialFolderWriterTests : IDisposable
{
    /// <summary>The fields of a metrics.jsonl line, in order, whoever wrote the folder.</summary>
    public static readonly string[] MetricsLineFields =
    [
        "epoch", "loss", "positive_similarity", "nearest_negative_similarity", "penalty_entropy", "val_knn_accuracy",
        "val_uniformity", "val_tolerance", "learning_rate", "seconds", "images_per_second", "tau", "attempt",
    ];

    readonly string dir = Directory.CreateTempSubdirectory("study-trial-folder-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static (EpochMetrics Metrics, int Attempt) Epoch(int epoch) => (new(epoch, 5.0 - epoch, 0.8, 0.3, 6.25, 0.5 + epoch / 10.0, 3.5, null, 1e-3, 2.5, 1200, 0.2), 1);

    static readonly TrialEntry Entry = new("t000-tau0.2-s1", 0.2, 1, TrialStatus.Completed, 2, 1, "host", 4.5, null,
        new TrialMetrics(LinearAccuracy: 0.8, Loss: 3.0), "cpu");

    [Fact]
    public void WritesEveryFileOfAnEvaluatedTrial()
    {
        var artifacts = new ArtifactRecord("s", Entry.TrialId, 1, 2, [0.5f, -1f, 0.25f, 2f, 0f, 1f], [7, 3, 1],
            """{"bin_edges":[-1,0,1],"positive":[1,2],"nearest_negatives":[10,20],"positive_mean":0.5,"nearest_negative_mean":0.25}""");
        var folder = TrialFolderWriter.Write(dir, Entry, [Epoch(2), Epoch(1)], artifacts);

        Assert.Equal(Path.Combine(dir, "trials", Entry.TrialId), folder);
        var lines = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl"));
        Assert.Equal([EpochMetricsJson.Write(Epoch(1).Metrics, 1), EpochMetricsJson.Write(Epoch(2).Metrics, 1)], lines);
        using (var line = JsonDocument.Parse(lines[0]))
            Assert.Equal(MetricsLineFields, line.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(StudyJson.Serialize(Entry) + "\n", File.ReadAllText(Path.Combine(folder, "result.json")));
        Assert.Equal(new long[] { 3, 2 }, NpyFile.Read(Path.Combine(folder, "embeddings.npy")).Shape);
        Assert.Equal(new long[] { 3 }, NpyFile.Read(Path.Combine(folder, "labels.npy")).Shape);
        var similarities = File.ReadAllText(Path.Combine(folder, "similarities.json"));
        using (var stored = JsonDocument.Parse(artifacts.SimilaritiesJson))
            Assert.Equal(JsonSerializer.Serialize(stored.RootElement, StudyJson.Options) + "\n", similarities);
        Assert.Contains("\n", similarities.TrimEnd());
    }

    [Fact]
    public void ATrialWithoutEvaluationHasItsMetricsAndEntryOnly()
    {
        var folder = TrialFolderWriter.Write(dir, Entry with { Status = TrialStatus.Pruned }, [], artifacts: null);
        Assert.Equal(["metrics.jsonl", "result.json"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Empty(File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")));
    }
}
