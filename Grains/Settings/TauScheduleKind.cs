using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>How τ moves during a trial's training.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TauScheduleKind>))]
public enum TauScheduleKind
{
    /// <summary>One τ for every step.</summary>
    [JsonStringEnumMemberName("constant")] Constant,
    /// <summary>τ oscillates between τ− and τ+ with a period in epochs (Kukleva et al., ICLR 2023).</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
}
