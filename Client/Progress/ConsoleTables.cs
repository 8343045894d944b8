using Spectre.Console;
using Spectre.Console.Rendering;

namespace Study.Client.Progress;

/// <summary>Tables on stdout: with colour on a terminal; plain, unwrapped and without trailing spaces when stdout is a file or pipe.</summary>
public static class ConsoleTables
{
    /// <param name="noWrap">no cell is wrapped (<see cref="FittedTable"/> drops columns instead)</param>
    public static Table New(IEnumerable<FittedColumn> columns, bool noWrap = false)
    {
        var table = new Table().Border(TableBorder.Simple).BorderColor(Color.Grey);
        foreach (var c in columns)
        {
            var column = new TableColumn(Markup.Escape(c.Header));
            if (noWrap) column.NoWrap();
            if (c.RightAligned) column.RightAligned();
            table.AddColumn(column);
        }
        return table;
    }

    /// <summary>The width tables are fitted to: the terminal's, or 200 columns when stdout is a file or pipe (unwrapped).</summary>
    public static int Width => Console.IsOutputRedirected ? 200 : AnsiConsole.Profile.Width;

    /// <summary>Writes a renderable (a table, a markup line) to stdout.</summary>
    public static void Write(IRenderable renderable)
    {
        if (!Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Write(renderable);
            return;
        }
        foreach (var line in Render(renderable, Width).TrimEnd().Split('\n')) Console.WriteLine(line.TrimEnd());
    }

    /// <summary>A renderable as plain text at <paramref name="width"/> columns.</summary>
    public static string Render(IRenderable renderable, int width)
    {
        var text = new StringWriter();
        var plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        plain.Profile.Width = width;
        plain.Write(renderable);
        return text.ToString();
    }

    public static void WriteLine(string markup) => Write(new Markup(markup + "\n"));
}
