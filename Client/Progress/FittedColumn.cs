namespace Study.Client.Progress;

/// <summary>One column of a console table (<see cref="ConsoleTables.New"/>). In a <see cref="FittedTable"/>,
/// <paramref name="DropOrder"/> 0: always shown; otherwise columns are dropped lowest order first until the table fits
/// its width without wrapping a cell.</summary>
public sealed record FittedColumn(string Header, bool RightAligned = false, int DropOrder = 0);
