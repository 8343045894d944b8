using System.Globalization;
using System.Text;
using Study.Grains.Storage;

namespace Study.Client.Reporting;

/// <summary>
/// Writes a study's output folder (docs/OUTPUTS.md) from the store alone: results.json, trials.csv,
/// trials/&lt;trial_id&gt;/ (<see cref="TrialFolderWriter"/>), plots/*.png and report.html. Running it again rewrites
/// the same files.
/// </summary>
public static class StudyFolderWriter
{
    static readonly string[] MetricColumns =
        ["linear_accuracy", "knn_accuracy", "val_linear_accuracy", "val_knn_accuracy", "uniformity", "tolerance", "alignment", "loss"];

    public static async Task Write(IStudyStore store, StudyResults results, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), results.ToJson().ToJsonString(StudyJson.Options) + "\n");
        File.WriteAllText(Path.Combine(folder, "trials.csv"), Csv(results));
        var epochs = results.Epochs.ToLookup(e => e.TrialId);
        var similaritiesJson = new Dictionary<string, string>();
        foreach (var trial in results.Trials)
        {
            var artifacts = await store.GetArtifacts(trial.StudyId, trial.TrialId);
            if (artifacts is not null) similaritiesJson[trial.TrialId] = artifacts.SimilaritiesJson;
            TrialFolderWriter.Write(folder, results.Entry(trial), epochs[trial.TrialId].Select(e => (e.Metrics, e.Attempt)), artifacts);
        }
        WriteReport(ReportData.From(results, similaritiesJson), folder);
    }

    static void WriteReport(ReportData data, string folder)
    {
        var plots = Path.Combine(folder, "plots");
        Directory.CreateDirectory(plots);
        var figures = ReportPlots.Draw(data).Select(p => (Plot: p, Png: p.Png())).ToList();
        foreach (var (plot, png) in figures) File.WriteAllBytes(Path.Combine(plots, plot.File), png);
        File.WriteAllText(Path.Combine(folder, "report.html"), ReportHtml.Render(data, figures, ReportReading.Read(data)));
    }

    static string Csv(StudyResults results)
    {
        var csv = new StringBuilder();
        // Under a cosine τ schedule, tau is τ− and tau_max τ+.
        bool ranges = results.Spec.SearchesRanges;
        string[] tauColumns = ranges ? ["tau", "tau_max"] : ["tau"];
        csv.AppendLine(string.Join(",", ["trial_id", .. tauColumns, "seed", "status", "epochs_completed", "attempts", "silo", "device", "duration_seconds", "error", .. MetricColumns]));
        foreach (var e in results.Entries)
        {
            var cells = new List<string?> { e.TrialId, Number(e.Tau) };
            if (ranges) cells.Add(Number(e.TauMax));
            cells.AddRange(new List<string?>
            {
                e.Seed.ToString(CultureInfo.InvariantCulture), e.Status.Name(),
                e.EpochsCompleted.ToString(CultureInfo.InvariantCulture), e.Attempts.ToString(CultureInfo.InvariantCulture), e.Silo, e.Device,
                Number(e.DurationSeconds), e.Error,
            });
            cells.AddRange(MetricColumns.Select(name => Number(e.Metrics.Get(name))));
            csv.AppendLine(string.Join(",", cells.Select(Escape)));
        }
        return csv.ToString();
    }

    static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    static string Escape(string? cell) =>
        cell is null ? "" : cell.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
