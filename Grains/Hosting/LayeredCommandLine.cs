using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Study.Grains.Hosting;

/// <summary>Where the settings below the command line come from: a file (null: none) and environment variables
/// named <c>prefix + KEY</c>, for the options <paramref name="FromEnvironment"/> allows.</summary>
public sealed record SettingLayers(IConfigurationSource? File, string EnvironmentPrefix, Func<Option, bool> FromEnvironment);

/// <summary>A parsed command line with the layers under it, and the arguments it was parsed from.</summary>
/// <param name="Layers">the layers under the command line (file &lt; environment); null when the command line asked for help or was bad</param>
public sealed record LayeredParse(ParseResult Parse, IReadOnlyList<string> Args, IConfigurationRoot? Layers);

/// <summary>
/// The way ./study and ./silo take their settings: from a file, then environment variables, then the command line,
/// each winning over the one before. System.CommandLine reads the command line; the layers under it are read through
/// Microsoft.Extensions.Configuration, and what the file or the environment gives for an option the command line
/// left out is parsed as if it had been given there, so every value has the same type, checks and error message
/// wherever it comes from, and is read from the parse alone. An option's key is its name without dashes, '_' for '-' (--slots-per-gpu: slots_per_gpu,
/// STUDY_SLOTS_PER_GPU).
/// </summary>
public static class LayeredCommandLine
{
    /// <summary>No response files: an argument starting with '@' is an argument.</summary>
    public static ParserConfiguration Grammar { get; } = new() { ResponseFileTokenReplacer = null };

    public static string Key(Option option) => option.Name.TrimStart('-').Replace('-', '_');

    /// <summary>Whether the command line, or a layer under it, gave the option (rather than its default).</summary>
    public static bool Given(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Whether the parse runs its command, rather than help or a directive ([suggest]).</summary>
    public static bool RunsCommand(this ParseResult parse) => parse.Action is null || parse.Action == parse.CommandResult.Command.Action;

    /// <param name="layersOf">the layers for what the command line says (its settings file, say)</param>
    public static LayeredParse Parse(Command root, IReadOnlyList<string> args, Func<ParseResult, SettingLayers> layersOf)
    {
        var parse = root.Parse(args, Grammar);
        if (parse.Errors.Count > 0 || !parse.RunsCommand()) return new(parse, args, null);
        var layers = layersOf(parse);
        var builder = new ConfigurationBuilder();
        if (layers.File is { } file) builder.Add(file);
        builder.AddEnvironmentVariables(layers.EnvironmentPrefix);
        var layered = builder.Build();
        var below = parse.CommandResult.Command.Options.Where(o => !parse.Given(o)).SelectMany(o => Tokens(o, Below(layered, o, layers))).ToList();
        if (below.Count == 0) return new(parse, args, layered);
        var end = args.ToList().IndexOf("--") is var i and >= 0 ? i : args.Count;
        string[] all = [.. args.Take(end), .. below, .. args.Skip(end)];
        return new(root.Parse(all, Grammar), all, layered);
    }

    /// <summary>The value of the highest layer under the command line that gives one.</summary>
    static string? Below(IConfigurationRoot layered, Option option, SettingLayers layers) =>
        layered.Providers.Reverse()
            .Where(p => p is not EnvironmentVariablesConfigurationProvider || layers.FromEnvironment(option))
            .Select(p => p.TryGet(Key(option), out var value) ? value : null)
            .FirstOrDefault(value => value is not null);

    /// <summary>The value as command-line tokens: a flag set true is the bare flag, set false nothing.</summary>
    static IEnumerable<string> Tokens(Option option, string? value)
    {
        if (value is null) return [];
        if (option.ValueType != typeof(bool)) return [$"{option.Name}={value}"];
        if (bool.TryParse(value, out var on)) return on ? [option.Name] : [];
        return [$"{option.Name}={value}"]; // a flag's bad value: the parse says what is wrong with it
    }
}
