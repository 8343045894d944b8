using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Study.Grains.Hosting;

namespace Study.Client.Cli;

/// <summary>
/// A <c>--config</c> file, the lowest layer of a command's settings: a JSON object whose keys are the command's option
/// names in camelCase (batchSize for --batch-size), flags as true or false, lists as arrays or comma-separated strings.
/// Anything else is bad input naming the file and the key.
/// </summary>
public sealed class StudyConfigFile(string path, IEnumerable<Option> options) : ConfigurationProvider, IConfigurationSource
{
    /// <summary>The key that says what the file is for (a study preset's description): read by people, not options.</summary>
    public const string CommentKey = "$comment";

    readonly Dictionary<string, Option> byName = options.Where(o => o != CommonOptions.Config).ToDictionary(o => CamelCase(o.Name));

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public override void Load()
    {
        using var document = Read();
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad("expected a JSON object of options");
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == CommentKey)
            {
                if (property.Value.ValueKind != JsonValueKind.String) throw Bad($"'{CommentKey}' must be a string");
                continue;
            }
            if (!byName.TryGetValue(property.Name, out var option))
                throw Bad($"unknown key '{property.Name}'{ClosestName.Hint(property.Name, byName.Keys)}");
            Data[LayeredCommandLine.Key(option)] = Value(property, option.ValueType == typeof(bool));
        }
    }

    string Value(JsonProperty property, bool isFlag)
    {
        var element = property.Value;
        if (isFlag)
            return element.ValueKind is JsonValueKind.True or JsonValueKind.False ? element.GetRawText()
                : throw Bad($"'{property.Name}' must be true or false");
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.Array => string.Join(",", element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            _ => throw Bad($"'{property.Name}' must be a string, a number or a list"),
        };
    }

    JsonDocument Read()
    {
        try { return JsonDocument.Parse(File.ReadAllText(path)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw Bad("file not found"); }
        catch (UnauthorizedAccessException) when (Directory.Exists(path)) { throw Bad("is a folder, not a file"); }
        catch (UnauthorizedAccessException) { throw Bad("cannot be read (permission denied)"); }
        catch (IOException e) { throw Bad($"cannot be read ({e.Message.TrimEnd('.')})"); }
        catch (JsonException e) { throw Bad($"not valid JSON ({e.Message.Split('.')[0]})"); }
    }

    UsageException Bad(string what) => new($"--config {path}: {what}");

    static string CamelCase(string name)
    {
        var parts = name.TrimStart('-').Split('-');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
