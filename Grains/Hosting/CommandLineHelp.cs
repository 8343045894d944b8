using System.Collections;
using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace Study.Grains.Hosting;

/// <summary>
/// The --help text of a command, written from its declarations: the usage line, what it does, one line an option
/// (<c>--name VALUE</c>, its description, its default), then sections such as examples.
/// </summary>
public static class CommandLineHelp
{
    public static string For(Command command, string usage, params (string Heading, IReadOnlyList<string> Lines)[] sections)
    {
        var lines = new List<string> { $"usage: {usage}", "", command.Description ?? "", "", "options:" };
        foreach (var option in command.Options.Where(o => o is not HelpOption && !o.Hidden))
        {
            var left = option.ValueType == typeof(bool) ? option.Name : $"{option.Name} {option.HelpName ?? "X"}";
            var fallback = option.HasDefaultValue ? Text(option.GetDefaultValue()) : null;
            lines.Add($"  {left,-24} {option.Description}{(fallback is null ? "" : $" (default: {fallback})")}");
        }
        lines.Add("  --help                   this text");
        foreach (var (heading, body) in sections)
        {
            lines.Add("");
            lines.Add(heading + ":");
            lines.AddRange(body.Select(line => "  " + line));
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>A default as the command line spells it; none for a flag or a null.</summary>
    static string? Text(object? value) => value switch
    {
        null or bool => null,
        string text => text,
        double number => Numbers.Setting(number),
        Enum setting => SettingName.Of(setting),
        IEnumerable list => string.Join(",", list.Cast<object>().Select(Text)),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Sets up a program's root command: no --version, and --help (-h) prints <paramref name="text"/> for the command asked about.</summary>
    public static void Install(RootCommand root, Func<Command, string> text)
    {
        foreach (var version in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(version);
        root.Options.OfType<HelpOption>().Single().Action = new Action(text);
    }

    /// <summary>Help that prints <paramref name="text"/> for the command asked about (the option --help, -h).</summary>
    public sealed class Action(Func<Command, string> text) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parse)
        {
            Console.WriteLine(text(parse.CommandResult.Command));
            return 0;
        }
    }
}
