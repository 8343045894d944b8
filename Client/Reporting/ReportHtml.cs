using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Study.Grains.Storage;

namespace Study.Client.Reporting;

/// <summary>
/// report.html: one self-contained page (figures embedded as data: URIs, styles inline, no script, nothing fetched)
/// with the best τ, the automatic reading, the figures, the trials (mean ± sd over seeds), the settings and versions.
/// </summary>
public static class ReportHtml
{
    public static string Render(ReportData data, IReadOnlyList<(ReportPlot Plot, byte[] Png)> figures, IReadOnlyList<string> reading)
    {
        var results = data.Results;
        var json = results.ToJson();
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="icon" href="data:,">
            <title>Study {E(results.Study.StudyId)}: temperature of contrastive learning</title>
            <style>{Style}</style></head><body>
            <header><h1>Temperature study <code>{E(results.Study.StudyId)}</code></h1>
            <p class="sub">{E(results.Spec.Dataset)} · {E(SettingName.Of(results.Spec.Loss))} loss · {E(SettingName.Of(results.Spec.Encoder))} · search {E(SettingName.Of(results.Spec.Search))} ·
            {E(TauScheduleText(results.Spec))} · pruner {E(SettingName.Of(results.Spec.Pruner))} · objective {E(data.ObjectiveName)} · status <b class="status-{E(results.Study.Status)}">{E(results.Study.Status)}</b></p></header>
            """);
        html.Append("<section class=\"best\">");
        if (results.Best is { } best)
            html.Append($"<p>Best τ: <b id=\"best-tau\">{E(best.Setting?.Label ?? "-")}</b> — {E(data.ObjectiveName)} (validation, " +
                        $"{(data.Spec.Seeds > 1 ? "mean over seeds" : "one seed")}) <b>{Numbers.Metric(best.Value)}</b>, trial <code>{E(best.TrialId)}</code>.</p>");
        else html.Append("<p>No trial has completed: there is no best τ yet.</p>");
        html.Append("</section>");

        html.Append("<section><h2>Reading</h2><ul id=\"reading\">");
        foreach (var line in reading) html.Append($"<li>{E(line)}</li>");
        html.Append("</ul></section>");

        html.Append("<section><h2>Figures</h2>");
        foreach (var (plot, png) in figures)
            html.Append($"""
                <figure id="{E(Path.GetFileNameWithoutExtension(plot.File))}"><img alt="{E(plot.Title)}" width="{ReportPlot.Width}" height="{ReportPlot.Height}"
                src="data:image/png;base64,{Convert.ToBase64String(png)}"><figcaption><b>{E(plot.Title)}.</b> {E(plot.Caption)}</figcaption></figure>
                """);
        html.Append("</section>");

        if (data.Groups.Count > 0 && data.Spec.UsesTau)
        {
            html.Append($"<section><h2>Temperatures</h2><p>Completed trials by τ; with several seeds, mean ± standard deviation and, below it, " +
                        "the mean's 95% Student-t interval.</p>" +
                        $"<table id=\"taus\"><thead><tr><th>τ</th><th>seeds</th><th>{E(data.ObjectiveName)}</th><th>linear acc. (test)</th>" +
                        "<th>kNN acc. (test)</th><th>uniformity</th><th>tolerance</th><th>alignment</th><th>entropy of r</th></tr></thead><tbody>");
            foreach (var g in data.Groups)
                html.Append($"<tr{(results.Best?.Setting == g.Setting ? " class=\"best-row\"" : "")}><td>{E(g.Label)}</td><td>{g.Trials.Count}</td>" +
                            $"{Cell(g.Objective)}{Cell(g.LinearAccuracy)}{Cell(g.KnnAccuracy)}{Cell(g.Uniformity)}{Cell(g.Tolerance)}{Cell(g.Alignment)}{Cell(g.PenaltyEntropy)}</tr>");
            html.Append("</tbody></table>");
            html.Append(ReportContrastTable.Html(data));
            html.Append("</section>");
        }

        html.Append("<section><h2>Trials</h2><table id=\"trials\"><thead><tr><th>trial</th><th>τ</th><th>seed</th><th>status</th><th>epochs</th>" +
                    "<th>attempts</th><th>silo</th><th>device</th><th>seconds</th><th>val objective</th><th>uniformity</th><th>tolerance</th><th>note</th></tr></thead><tbody>");
        foreach (var t in data.Trials)
        {
            var r = t.Record;
            html.Append($"<tr class=\"status-{r.Status.Name()}\"><td><code>{E(r.TrialId)}</code></td><td>{E(t.Label)}</td><td>{r.Seed}</td>" +
                        $"<td>{r.Status.Name()}{(data.Pareto.Contains(r.TrialId) ? " ◆" : "")}</td><td>{r.EpochsCompleted}</td><td>{Math.Max(r.Attempt, 0)}</td>" +
                        $"<td>{E(r.Silo?.Split('@')[0] ?? "")}</td><td>{E(r.Device ?? "")}</td><td>{Numbers.Seconds(r.DurationSeconds)}</td><td>{Numbers.Metric(t.Objective)}</td>" +
                        $"<td>{Numbers.Metric(t.Metrics?.Uniformity)}</td><td>{Numbers.Metric(t.Metrics?.Tolerance)}</td><td>{E(r.Error ?? "")}</td></tr>");
        }
        html.Append("</tbody></table><p class=\"note\">◆ in the uniformity–tolerance Pareto set.</p></section>");

        html.Append("<section><h2>Settings</h2><table id=\"settings\"><tbody>");
        if (json["spec"] is JsonObject spec)
            foreach (var (key, value) in spec)
                html.Append($"<tr><th>{E(key)}</th><td>{E(value?.ToJsonString(StudyJson.Compact) ?? "null")}</td></tr>");
        html.Append("</tbody></table><h2>Versions</h2><table id=\"versions\"><tbody>");
        if (json["versions"] is JsonObject versions)
            foreach (var (key, value) in versions)
                html.Append($"<tr><th>{E(key)}</th><td>{E(value?.GetValue<string>() ?? "")}</td></tr>");
        html.Append($"</tbody></table><p class=\"note\">Written {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC from the study's store by <code>study report</code>; " +
                    "the data are in results.json, trials.csv and trials/.</p></section></body></html>\n");
        return html.ToString();
    }

    static string TauScheduleText(Grains.StudySpec spec) => !spec.UsesTau ? "no τ"
        : spec.SearchesRanges ? $"τ schedule cosine (τ−–τ+, period {Numbers.Setting(spec.TauPeriod)} epochs)" : "τ constant";

    static string Cell(SeedSummary? s) => s is null ? "<td>-</td>"
        : s.Count > 1 ? $"<td>{StudyComparison.Cell(s)}<br><small>{StudyComparison.Interval(s)}</small></td>" : $"<td>{StudyComparison.Cell(s)}</td>";

    static string E(string text) => WebUtility.HtmlEncode(text);

    const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#1d2330;line-height:1.45}
        h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.2rem}
        .sub{color:#556;margin-top:0}.best{background:#eef6ff;border:1px solid #bcd;border-radius:6px;padding:.2rem 1rem;font-size:1.1rem}
        figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#445;font-size:.92rem}
        table{border-collapse:collapse;font-size:.88rem;width:100%}th,td{border-bottom:1px solid #e4e6ee;padding:.25rem .5rem;text-align:left}
        thead th{background:#f4f5f9}tr.best-row{background:#fff7d6}tr.status-failed td{color:#a11}tr.status-pruned td{color:#777}tr.status-collapsed td{color:#8a2be2}
        .status-completed{color:#17733a}.status-failed{color:#a11}.status-collapsed{color:#8a2be2}.note{color:#667;font-size:.85rem}code{font-size:.9em}
        """;
}
