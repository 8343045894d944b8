using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>Which rule stops unpromising trials early.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PrunerKind>))]
public enum PrunerKind
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("median")] Median,
    [JsonStringEnumMemberName("asha")] Asha,
}
