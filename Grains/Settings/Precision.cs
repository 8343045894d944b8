using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>fp32, or bf16 compute with fp32 master weights.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
public enum Precision
{
    [JsonStringEnumMemberName("fp32")] Fp32,
    [JsonStringEnumMemberName("bf16")] Bf16,
}
