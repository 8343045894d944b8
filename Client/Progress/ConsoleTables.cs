using Spectre.Console;

namespace Study.Client.Progress;

/// <summary>Tables on stdout: with colour on a terminal; plain and wide enough not to wrap when stdout is a file or pipe.</summary>
public static class ConsoleTables
{
    static readonly Lazy<IAnsiConsole> Out = new(() => System.Console.IsOutputRedirected
        ? AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(System.Console.Out),
        }).WithWidth(200)
        : AnsiConsole.Console);

    public static IAnsiConsole Output => Out.Value;

    public static Table New(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple).BorderColor(Color.Grey);
        foreach (var c in columns)
        {
            var column = new TableColumn(Markup.Escape(c.TrimStart('>')));
            if (c.StartsWith('>')) column.RightAligned();
            table.AddColumn(column);
        }
        return table;
    }

    static IAnsiConsole WithWidth(this IAnsiConsole console, int width)
    {
        console.Profile.Width = width;
        return console;
    }
}
