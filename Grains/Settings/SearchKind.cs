using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>How a study chooses its τ values.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SearchKind>))]
public enum SearchKind
{
    /// <summary>Every --taus value.</summary>
    [JsonStringEnumMemberName("grid")] Grid,
    /// <summary>Log-uniform draws from --tau-range.</summary>
    [JsonStringEnumMemberName("random")] Random,
    /// <summary>Gaussian-process expected improvement, proposing as trials end.</summary>
    [JsonStringEnumMemberName("adaptive")] Adaptive,
}
