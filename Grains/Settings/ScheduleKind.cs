using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>The learning-rate schedule over a trial's steps.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleKind>))]
public enum ScheduleKind
{
    /// <summary>To zero over the epochs.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
    /// <summary>×0.1 at 80% and 95% of the steps, as the paper's 200 epochs.</summary>
    [JsonStringEnumMemberName("step")] Step,
    [JsonStringEnumMemberName("constant")] Constant,
}
