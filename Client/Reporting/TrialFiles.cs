using Study.Grains.Storage;
using Study.Training.Evaluation;
using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>
/// A trial's folder of SPEC §4: metrics.jsonl (one line an epoch), result.json (its entry), and for an evaluated
/// trial embeddings.npy (float32 [N, D]), labels.npy (int64 [N]) and similarities.json.
/// </summary>
public static class TrialFiles
{
    public static string Write(string studyFolder, TrialEntry entry, IReadOnlyList<EpochMetrics> history, FinalEvaluation? evaluation)
    {
        var folder = Path.Combine(studyFolder, "trials", entry.TrialId);
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "metrics.jsonl"), history.Select(m => StudyJson.Serialize(m, indented: false)));
        File.WriteAllText(Path.Combine(folder, "result.json"), StudyJson.Serialize(entry) + "\n");
        if (evaluation is not null)
        {
            long n = evaluation.Labels.Length;
            NpyWriter.WriteFloat32(Path.Combine(folder, "embeddings.npy"), evaluation.Embeddings, n, evaluation.EmbeddingDimension);
            NpyWriter.WriteInt64(Path.Combine(folder, "labels.npy"), evaluation.Labels, n);
            File.WriteAllText(Path.Combine(folder, "similarities.json"), StudyJson.Serialize(evaluation.Similarities) + "\n");
        }
        return folder;
    }
}
