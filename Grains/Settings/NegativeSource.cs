using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>Where a loss's negatives come from: the batch (SimCLR, 2B−2) or a memory bank (InstDisc-style).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NegativeSource>))]
public enum NegativeSource
{
    [JsonStringEnumMemberName("batch")] Batch,
    [JsonStringEnumMemberName("memory-bank")] MemoryBank,
}
