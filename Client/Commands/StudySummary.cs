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
        var table = ConsoleTables.New("trial", ">τ", ">seed", "status", ">epochs", ">" + results.Spec.ValidationObjective, ">uniformity", ">tolerance", "note");
        foreach (var e in results.Entries)
            table.AddRow(Markup.Escape(e.TrialId), Markup.Escape(TauSetting.Of(e.Tau, e.TauMax)?.Label ?? "-"), e.Seed.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(e.Status), e.EpochsCompleted.ToString(CultureInfo.InvariantCulture), Cell(e.Metrics.Get(results.Spec.ValidationObjective)),
                Cell(e.Metrics.Uniformity), Cell(e.Metrics.Tolerance), Markup.Escape(Clip(e.Error)));
        ConsoleTables.Write(table);
        if (results.Best is { } best)
            ConsoleTables.WriteLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"best: τ = {best.Setting?.Label ?? "-"} ({best.TrialId}), {best.Objective} (validation) {best.Value:0.0000}")));
        ConsoleTables.WriteLine($"output: {Markup.Escape(folder)}");
    }

    static string Clip(string? text) => text is null ? "" : text.Length <= 60 ? text : text[..59] + "…";

    static string Cell(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    public static int ExitCode(string status, bool cancelledHere) => status switch
    {
        Grains.StudyStatuses.Completed => ExitCodes.Completed,
        Grains.StudyStatuses.Cancelled when cancelledHere => ExitCodes.Cancelled,
        _ => ExitCodes.Failed,
    };

    public static string DefaultFolder(string studyId) => Path.Combine("studies", studyId);
}
