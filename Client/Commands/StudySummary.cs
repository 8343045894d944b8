using System.Globalization;
using Spectre.Console;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>The end of `run`, `watch` and `resume`: the results JSON (--json) or a table, and the exit status.</summary>
public static class StudySummary
{
    public static void Print(StudyResults results, string folder, bool json)
    {
        if (json)
        {
            Console.WriteLine(results.ToJson().ToJsonString(StudyJson.Options));
            return;
        }
        var s = results.Study;
        ConsoleTables.WriteLine($"study [bold]{Markup.Escape(s.StudyId)}[/]: {Markup.Escape(s.Status)}");
        ConsoleTables.Write(Table(results, ConsoleTables.Width));
        if (results.Best is { } best)
            ConsoleTables.WriteLine(Markup.Escape($"best: τ = {best.Setting?.Label ?? "-"} ({best.TrialId}), {best.Objective} (validation) {Numbers.Metric(best.Value)}"));
        ConsoleTables.WriteLine($"output: {Markup.Escape(folder)}");
    }

    /// <summary>The trials, fitted to <paramref name="width"/>: the note goes first, then seed, epochs, tolerance and
    /// uniformity; id, τ, state and the objective stay.</summary>
    public static Spectre.Console.Table Table(StudyResults results, int width)
    {
        FittedColumn[] columns = [new("trial"), new("τ", true), new("seed", true, 3), new("status"), new("epochs", true, 2),
            new(results.Spec.ValidationObjective, true), new("uniformity", true, 5), new("tolerance", true, 4), new("note", DropOrder: 1)];
        var rows = results.Entries.Select(e => new[]
        {
            Markup.Escape(e.TrialId), Markup.Escape(TauSetting.Of(e.Tau, e.TauMax)?.Label ?? "-"), e.Seed.ToString(CultureInfo.InvariantCulture),
            e.Status.Name(), e.EpochsCompleted.ToString(CultureInfo.InvariantCulture), Numbers.Metric(e.Metrics.Get(results.Spec.ValidationObjective)),
            Numbers.Metric(e.Metrics.Uniformity), Numbers.Metric(e.Metrics.Tolerance), Markup.Escape(Clip(e.Error)),
        }).ToList();
        return FittedTable.Build(columns, rows, width);
    }

    static string Clip(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..59] + "…";

    public static int ExitCode(string status, bool cancelledHere) => status switch
    {
        Grains.StudyStatuses.Completed => ExitCodes.Completed,
        Grains.StudyStatuses.Cancelled when cancelledHere => ExitCodes.Cancelled,
        _ => ExitCodes.Failed,
    };
}
