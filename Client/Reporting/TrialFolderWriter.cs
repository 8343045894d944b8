using System.Text.Json;
using Study.Grains.Storage;

namespace Study.Client.Reporting;

/// <summary>
/// The one writer of a trial's folder of docs/OUTPUTS.md, for <c>study train</c> and for a study's output folder:
/// metrics.jsonl (one line an epoch, <see cref="EpochMetricsJson"/>), result.json (its entry), and for an evaluated
/// trial embeddings.npy (float32 [N, D]), labels.npy (int64 [N]) and similarities.json.
/// </summary>
public static class TrialFolderWriter
{
    /// <returns>the trial's folder, <c>studyFolder/trials/&lt;trial_id&gt;</c></returns>
    public static string Write(string studyFolder, TrialEntry entry, IEnumerable<(Study.Training.Trainer.EpochMetrics Metrics, int Attempt)> epochs, ArtifactRecord? artifacts)
    {
        var folder = Path.Combine(studyFolder, "trials", entry.TrialId);
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "metrics.jsonl"), epochs.OrderBy(e => e.Metrics.Epoch).Select(e => EpochMetricsJson.Write(e.Metrics, e.Attempt)));
        File.WriteAllText(Path.Combine(folder, "result.json"), StudyJson.Serialize(entry) + "\n");
        if (artifacts is not null)
        {
            long n = artifacts.Labels.Length;
            NpyWriter.WriteFloat32(Path.Combine(folder, "embeddings.npy"), artifacts.Embeddings, n, artifacts.EmbeddingDimension);
            NpyWriter.WriteInt64(Path.Combine(folder, "labels.npy"), artifacts.Labels, n);
            using var similarities = JsonDocument.Parse(artifacts.SimilaritiesJson);
            File.WriteAllText(Path.Combine(folder, "similarities.json"), JsonSerializer.Serialize(similarities.RootElement, StudyJson.Options) + "\n");
        }
        return folder;
    }
}
