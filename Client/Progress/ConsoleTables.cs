using Spectre.Console;
using Spectre.Console.Rendering;

namespace Study.Client.Progress;

/// <summary>Tables on stdout: with colour on a terminal; plain, unwrapped and without trailing spaces when stdout is a file or pipe.</summary>
public static class ConsoleTables
{
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

    /// <summary>Writes a renderable (a table, a markup line) to stdout.</summary>
    public static void Write(IRenderable renderable)
    {
        if (!Console.IsOutputRedirected)
        {
            AnsiConsole.Console.Write(renderable);
            return;
        }
        var text = new StringWriter();
        var plain = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        plain.Profile.Width = 200;
        plain.Write(renderable);
        foreach (var line in text.ToString().TrimEnd().Split('\n')) Console.WriteLine(line.TrimEnd());
    }

    public static void WriteLine(string markup) => Write(new Markup(markup + "\n"));
}
