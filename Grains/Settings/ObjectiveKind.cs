using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>The metric a study ranks τ by (on the validation split; docs/OUTPUTS.md).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObjectiveKind>))]
public enum ObjectiveKind
{
    [JsonStringEnumMemberName("linear_accuracy")] LinearAccuracy,
    [JsonStringEnumMemberName("knn_accuracy")] KnnAccuracy,
}

public static class ObjectiveKinds
{
    /// <summary>The metric's name in results.json and metrics.jsonl (linear_accuracy).</summary>
    public static string MetricName(this ObjectiveKind objective) => SettingName.Of(objective);

    /// <summary>The validation metric the objective is ranked on (val_linear_accuracy).</summary>
    public static string ValidationMetricName(this ObjectiveKind objective) => "val_" + objective.MetricName();
}
