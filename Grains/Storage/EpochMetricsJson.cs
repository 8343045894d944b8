using System.Text.Json;
using System.Text.Json.Nodes;
using Study.Training.Trainer;

namespace Study.Grains.Storage;

/// <summary>How an epoch is kept in the store (epochs.metrics_json) and written as a line of metrics.jsonl: its
/// metrics, then the attempt that measured them. The one place they are written and read.</summary>
public static class EpochMetricsJson
{
    public static string Write(EpochMetrics metrics, int attempt)
    {
        var line = JsonSerializer.SerializeToNode(metrics, StudyJson.Compact)!.AsObject();
        line["attempt"] = attempt;
        return line.ToJsonString(StudyJson.Compact);
    }

    public static string Write(EpochRecord epoch) => Write(epoch.Metrics, epoch.Attempt);

    /// <exception cref="JsonException">text that is not an epoch's metrics</exception>
    public static EpochMetrics Read(string json) =>
        JsonSerializer.Deserialize<EpochMetrics>(json, StudyJson.Compact) ?? throw new JsonException("the stored epoch metrics are null");
}
