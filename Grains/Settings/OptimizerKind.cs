using System.Text.Json.Serialization;

namespace Study.Settings;

[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    [JsonStringEnumMemberName("adam")] Adam,
    /// <summary>With the study's momentum.</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,
}
