using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>The contrastive losses (docs/LOSSES.md).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossKind>))]
public enum LossKind
{
    [JsonStringEnumMemberName("infonce")] InfoNce,
    [JsonStringEnumMemberName("hard")] Hard,
    [JsonStringEnumMemberName("simple")] Simple,
    [JsonStringEnumMemberName("hard-simple")] HardSimple,
}

public static class LossKinds
{
    /// <summary>Whether the loss has a temperature: the simple losses have none, so a study runs them once per seed.</summary>
    public static bool UsesTau(this LossKind loss) => loss is LossKind.InfoNce or LossKind.Hard;

    /// <summary>Whether the loss keeps only the nearest of its negatives (--hard-fraction, --hard-count).</summary>
    public static bool KeepsHardest(this LossKind loss) => loss is LossKind.Hard or LossKind.HardSimple;
}
