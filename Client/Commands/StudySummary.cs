using System.Globalization;
using Study.Client.Reporting;
using Study.Training.Output;

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
        Console.WriteLine($"study {s.StudyId}: {s.Status}");
        Console.WriteLine($"{"trial",-24} {"tau",8} {"seed",4} {"status",-10} {"epochs",6} {results.Spec.ValidationObjective,20} {"uniformity",10} {"tolerance",9}");
        foreach (var e in results.Entries)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.TrialId,-24} {(e.Tau is { } t ? t.ToString("0.####") : "-"),8} {e.Seed,4} {e.Status,-10} {e.EpochsCompleted,6} {Cell(e.Metrics.Get(results.Spec.ValidationObjective)),20} {Cell(e.Metrics.Uniformity),10} {Cell(e.Metrics.Tolerance),9}"));
        if (results.Best is { } best)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best: τ = {best.Tau} ({best.TrialId}), {best.Objective} (validation) {best.Value:0.0000}"));
        Console.WriteLine($"output: {folder}");
    }

    static string Cell(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    public static int ExitCode(string status, bool cancelledHere) => status switch
    {
        Grains.StudyStatuses.Completed => ExitCodes.Completed,
        Grains.StudyStatuses.Cancelled when cancelledHere => ExitCodes.Cancelled,
        _ => ExitCodes.Failed,
    };

    public static string DefaultFolder(string studyId) => Path.Combine("studies", studyId);
}
