using System.Reflection;
using System.Text.Json.Serialization;

namespace Study.Settings;

/// <summary>
/// The names of a setting's values, as the command line, the config files, the store and results.json spell them:
/// each enum member's <see cref="JsonStringEnumMemberNameAttribute"/>, so JSON and the console agree by construction.
/// </summary>
public static class SettingNames<T> where T : struct, Enum
{
    static readonly (T Value, string Name)[] Members = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((T)f.GetValue(null)!, SettingName.Of(f)))
        .ToArray();

    public static IReadOnlyList<string> All { get; } = [.. Members.Select(m => m.Name)];

    public static string Of(T value) =>
        Members.FirstOrDefault(m => EqualityComparer<T>.Default.Equals(m.Value, value)).Name ?? value.ToString();

    public static bool TryParse(string text, out T value)
    {
        foreach (var member in Members)
            if (member.Name == text) { value = member.Value; return true; }
        value = default;
        return false;
    }

    public static bool IsDefined(T value) => Members.Any(m => EqualityComparer<T>.Default.Equals(m.Value, value));

    /// <summary>The check the grains make on what a client sent: one line naming the option.</summary>
    /// <exception cref="ArgumentException">a value that is not one of the set</exception>
    public static void Check(string option, T value)
    {
        if (!IsDefined(value)) throw new ArgumentException($"--{option} must be one of {string.Join(", ", All)}, got '{value}'");
    }
}

/// <summary>Names of setting values without spelling out the type: <c>SettingName.Of(spec.Loss)</c>.</summary>
public static class SettingName
{
    public static string Of<T>(T value) where T : struct, Enum => SettingNames<T>.Of(value);

    /// <summary>The name of a value whose setting is known only at run time (a default in help).</summary>
    public static string Of(Enum value) =>
        value.GetType().GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static) is { } member ? Of(member) : value.ToString();

    internal static string Of(FieldInfo member) => member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? member.Name.ToLowerInvariant();
}
