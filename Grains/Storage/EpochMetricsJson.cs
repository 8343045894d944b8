using System.Text.Json;

namespace Study.Grains.Storage;

/// <summary>How an epoch's metrics are kept in the store (epochs.metrics_json) and written as a line of metrics.jsonl:
/// the one place they are written and read.</summary>
public static class EpochMetricsJson
{
    public static string Write(EpochMetricsRecord metrics) => JsonSerializer.Serialize(metrics, StudyJson.Compact);

    /// <exception cref="JsonException">text that is not an epoch's metrics</exception>
    public static EpochMetricsRecord Read(string json) =>
        JsonSerializer.Deserialize<EpochMetricsRecord>(json, StudyJson.Compact) ?? throw new JsonException("the stored epoch metrics are null");
}
