using System.Globalization;
using System.Text.Json;

namespace Study.Client.Cli;

/// <summary>
/// The options a command was given: <c>--name value</c>, <c>--name=value</c> or a bare <c>--flag</c>, plus
/// positionals. Typed getters throw <see cref="UsageException"/> naming the option and what is wrong.
/// </summary>
public sealed class ParsedArguments
{
    readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    readonly HashSet<string> flags = new(StringComparer.Ordinal);
    readonly Dictionary<string, OptionSpec> specs;

    ParsedArguments(IEnumerable<OptionSpec> allowed) => specs = allowed.ToDictionary(s => s.Name);

    public List<string> Positionals { get; } = [];

    public static ParsedArguments Parse(string command, IReadOnlyList<string> args, IEnumerable<OptionSpec> allowed)
    {
        var parsed = new ParsedArguments(allowed);
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                parsed.Positionals.Add(arg);
                continue;
            }
            var name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (!parsed.specs.TryGetValue(name, out var spec))
                throw new UsageException($"unknown option --{name} for 'study {command}'{ClosestName.Hint(name, parsed.specs.Keys)}");
            if (spec.IsFlag)
            {
                if (inline is not null) throw new UsageException($"--{name} takes no value");
                parsed.flags.Add(name);
                continue;
            }
            if (inline is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                inline = args[++i];
            }
            if (parsed.values.ContainsKey(name)) throw new UsageException($"--{name} is given twice");
            parsed.values[name] = inline;
        }
        if (parsed.values.TryGetValue("config", out var config)) parsed.MergeConfig(config);
        return parsed;
    }

    public bool Has(string name) => values.ContainsKey(name) || flags.Contains(name);
    public bool Flag(string name) => flags.Contains(name);
    public string? Value(string name) => values.GetValueOrDefault(name);
    public string String(string name, string fallback) => values.GetValueOrDefault(name) ?? fallback;

    /// <summary>Every given option as name → value ("true" for flags), for recording a study's spec.</summary>
    public IReadOnlyDictionary<string, string> All =>
        values.Concat(flags.Select(f => KeyValuePair.Create(f, "true"))).ToDictionary(p => p.Key, p => p.Value);

    public string Choice(string name, IReadOnlyList<string> choices, string fallback)
    {
        var value = String(name, fallback);
        if (!choices.Contains(value))
            throw new UsageException($"--{name}: unknown value '{value}'{ClosestName.Hint(value, choices)}; choose one of {string.Join(", ", choices)}");
        return value;
    }

    /// <summary>One of a closed set of settings (--loss, --search, ...), by the names <see cref="SettingNames{T}"/> gives.</summary>
    public T Setting<T>(string name, T fallback) where T : struct, Enum =>
        SettingNames<T>.TryParse(Choice(name, SettingNames<T>.All, SettingNames<T>.Of(fallback)), out var value) ? value : fallback;

    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Value(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new UsageException($"--{name}: '{text}' is not a whole number");
        if (v < min) throw new UsageException($"--{name}: {v} is too small (at least {min})");
        if (v > max) throw new UsageException($"--{name}: {v} is too large (at most {max:N0})");
        return v;
    }

    public double? Double(string name, bool positive = false)
    {
        if (Value(name) is not { } text) return null;
        var v = ParseNumber(name, text);
        if (positive && v <= 0) throw new UsageException($"--{name}: {text} must be greater than 0");
        return v;
    }

    public static double ParseNumber(string name, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new UsageException($"--{name}: '{text}' is not a number");
        return v;
    }

    /// <summary>The key of a <c>--config</c> file that says what it is for (a study preset's description): read by people, not options.</summary>
    public const string CommentKey = "$comment";

    /// <summary>A <c>--config</c> JSON file: keys are the option names in camelCase; options on the command line win.</summary>
    void MergeConfig(string path)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (FileNotFoundException) { throw new UsageException($"--config {path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new UsageException($"--config {path}: file not found"); }
        catch (UnauthorizedAccessException) when (Directory.Exists(path)) { throw new UsageException($"--config {path}: is a folder, not a file"); }
        catch (UnauthorizedAccessException) { throw new UsageException($"--config {path}: cannot be read (permission denied)"); }
        catch (IOException e) { throw new UsageException($"--config {path}: cannot be read ({e.Message.TrimEnd('.')})"); }
        catch (JsonException e) { throw new UsageException($"--config {path}: not valid JSON ({e.Message.Split('.')[0]})"); }
        using var _ = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new UsageException($"--config {path}: expected a JSON object of options");
        var camelNames = specs.Keys.Where(k => k != "config").ToDictionary(CamelCase);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == CommentKey)
            {
                if (property.Value.ValueKind != JsonValueKind.String) throw new UsageException($"--config {path}: '{CommentKey}' must be a string");
                continue;
            }
            if (!camelNames.TryGetValue(property.Name, out var name))
                throw new UsageException($"--config {path}: unknown key '{property.Name}'{ClosestName.Hint(property.Name, camelNames.Keys)}");
            if (Has(name)) continue;
            var spec = specs[name];
            var element = property.Value;
            if (spec.IsFlag)
            {
                if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    throw new UsageException($"--config {path}: '{property.Name}' must be true or false");
                if (element.ValueKind == JsonValueKind.True) flags.Add(name);
                continue;
            }
            values[name] = element.ValueKind switch
            {
                JsonValueKind.String => element.GetString()!,
                JsonValueKind.Number => element.GetRawText(),
                JsonValueKind.Array => string.Join(",", element.EnumerateArray().Select(e =>
                    e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                _ => throw new UsageException($"--config {path}: '{property.Name}' must be a string, a number or a list"),
            };
        }
    }

    static string CamelCase(string kebab)
    {
        var parts = kebab.Split('-');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
