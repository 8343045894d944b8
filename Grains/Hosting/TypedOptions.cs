using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Study.Grains.Hosting;

/// <summary>
/// Makers of typed options whose parsers reject bad values in one line naming the option ("--epochs: 'two' is not a
/// whole number"), for ./study and ./silo; a value from a settings file or the environment goes through the same parser.
/// </summary>
public static class TypedOptions
{
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>A flag that also takes true or false (as a silo setting's variable and key do).</summary>
    public static Option<bool> Switch(string name, string description) =>
        new(name) { Description = description, CustomParser = r => r.Tokens.Count == 0 || bool.Parse(r.Tokens[0].Value) };

    public static Option<string?> Text(string name, string description, string helpName) => new(name) { Description = description, HelpName = helpName };

    public static Option<string> Text(string name, string description, string helpName, string fallback) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback };

    public static Option<int> Int(string name, string description, int fallback, int min = int.MinValue, int max = int.MaxValue, string helpName = "N") =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback, CustomParser = r => Parse(r, t => Whole(name, t, min, max)) };

    /// <summary>An int whose default is not a value (all the images, the grid size): null when not given.</summary>
    public static Option<int?> OptionalInt(string name, string description, int min = int.MinValue, int max = int.MaxValue, string helpName = "N") =>
        new(name) { Description = description, HelpName = helpName, CustomParser = r => Parse(r, t => (int?)Whole(name, t, min, max)) };

    /// <param name="check">the option's own rule: null when the value is fine, else what is wrong with it</param>
    public static Option<double> Number(string name, string description, double fallback, Func<double, string?>? check = null, string helpName = "X") =>
        new(name)
        {
            Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback,
            CustomParser = r => Parse(r, t => ParseNumber(name, t) is var v && check?.Invoke(v) is { } problem ? throw new UsageException($"{name}: {problem}") : v),
        };

    public static Option<string> Choice(string name, string description, IReadOnlyList<string> choices, string fallback, string helpName = "NAME")
    {
        var option = new Option<string>(name)
        {
            Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback,
            CustomParser = r => Parse(r, t => Chosen(name, t, choices)),
        };
        option.CompletionSources.Add([.. choices]);
        return option;
    }

    /// <summary>One of a closed set of settings (--loss, --search, …), by the names <see cref="SettingNames{T}"/> gives.</summary>
    public static Option<T> Setting<T>(string name, string description, T fallback, string helpName = "NAME") where T : struct, Enum
    {
        var option = new Option<T>(name)
        {
            Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback,
            CustomParser = r => Parse(r, t => SettingNames<T>.TryParse(Chosen(name, t, SettingNames<T>.All), out var value) ? value : fallback),
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add([.. SettingNames<T>.All]);
        return option;
    }

    /// <summary>A value made by <paramref name="parse"/>, whose <see cref="UsageException"/> becomes the parse's error.</summary>
    public static T Parse<T>(ArgumentResult result, Func<string, T> parse)
    {
        try { return parse(result.Tokens.Single().Value); }
        catch (UsageException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    }

    public static int Whole(string name, string text, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) throw new UsageException($"{name}: '{text}' is not a whole number");
        if (v < min) throw new UsageException($"{name}: {v} is too small (at least {min})");
        if (v > max) throw new UsageException($"{name}: {v} is too large (at most {Numbers.Count(max)})");
        return v;
    }

    public static double ParseNumber(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
            : throw new UsageException($"{name}: '{text}' is not a number");

    public static string? Positive(double value) => value > 0 ? null : $"{Numbers.Setting(value)} must be greater than 0";

    static string Chosen(string name, string text, IReadOnlyList<string> choices) => choices.Contains(text) ? text
        : throw new UsageException($"{name}: unknown value '{text}'{ClosestName.Hint(text, choices)}; choose one of {string.Join(", ", choices)}");
}
