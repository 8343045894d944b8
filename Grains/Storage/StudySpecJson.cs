using System.Text.Json;

namespace Study.Grains.Storage;

/// <summary>How a study's spec is kept in the store (studies.spec_json): the one place it is written and read.</summary>
public static class StudySpecJson
{
    public static string Write(StudySpec spec) => JsonSerializer.Serialize(spec, StudyJson.Compact);

    /// <exception cref="JsonException">text that is not a stored spec</exception>
    public static StudySpec Read(string json) =>
        JsonSerializer.Deserialize<StudySpec>(json, StudyJson.Compact) ?? throw new JsonException("the stored study spec is null");
}
