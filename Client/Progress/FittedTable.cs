using Spectre.Console;
using Spectre.Console.Rendering;

namespace Study.Client.Progress;

/// <summary>
/// A table that fits the terminal it is on: no cell is ever wrapped (an id or a state split across lines is worse
/// than a column left out), so when the table is too wide, optional columns are dropped until it fits. Cells are
/// Spectre markup.
/// </summary>
public static class FittedTable
{
    public static Table Build(IReadOnlyList<FittedColumn> columns, IReadOnlyList<string[]> rows, int width)
    {
        var kept = Enumerable.Range(0, columns.Count).ToList();
        var dropping = kept.Where(i => columns[i].DropOrder > 0).OrderBy(i => columns[i].DropOrder).ToList();
        while (true)
        {
            var table = Make(columns, rows, kept);
            if (dropping.Count == 0 || Fits(table, width)) return table;
            kept.Remove(dropping[0]);
            dropping.RemoveAt(0);
        }
    }

    static Table Make(IReadOnlyList<FittedColumn> columns, IReadOnlyList<string[]> rows, List<int> kept)
    {
        var table = ConsoleTables.New(kept.Select(i => columns[i]), noWrap: true);
        foreach (var row in rows) table.AddRow(kept.Select(i => new Markup(row[i])).ToArray());
        return table;
    }

    /// <summary>Whether the table renders at <paramref name="width"/> as it does with all the room it wants: the same
    /// lines, none cropped.</summary>
    static bool Fits(IRenderable table, int width)
    {
        var wide = ConsoleTables.Render(table, 10_000).Split('\n');
        var narrow = ConsoleTables.Render(table, width).Split('\n');
        return wide.Length == narrow.Length && wide.Zip(narrow).All(p => p.First.TrimEnd() == p.Second.TrimEnd());
    }
}
