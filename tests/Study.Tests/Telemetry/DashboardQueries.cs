using System.Text.Json;
using System.Text.RegularExpressions;
using Study.Tests.Cli;

namespace Study.Tests.Telemetry;

/// <summary>The PromQL of the Grafana dashboards in dashboards/grafana: every target's expr and every templating
/// query, with Grafana's variables put in as a dashboard would for the given study.</summary>
public static partial class DashboardQueries
{
    public static string Folder => Path.Combine(StudyProcess.RepositoryRoot, "dashboards", "grafana");

    /// <param name="NoValue">what the panel shows where its query returns nothing (its fieldConfig's noValue)</param>
    public sealed record Query(string Dashboard, string Panel, string Expr, string? NoValue = null);

    public static List<Query> All()
    {
        var queries = new List<Query>();
        foreach (var file in Directory.GetFiles(Folder, "*.json").Order())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var name = Path.GetFileName(file);
            foreach (var panel in Panels(doc.RootElement.GetProperty("panels")))
                if (panel.TryGetProperty("targets", out var targets))
                    foreach (var target in targets.EnumerateArray())
                        if (target.TryGetProperty("expr", out var expr) && expr.GetString() is { Length: > 0 } text)
                            queries.Add(new Query(name, panel.GetProperty("title").GetString()!, text, NoValue(panel)));
            if (doc.RootElement.TryGetProperty("templating", out var templating))
                foreach (var variable in templating.GetProperty("list").EnumerateArray())
                    if (variable.TryGetProperty("query", out var q))
                    {
                        var text = q.ValueKind == JsonValueKind.String ? q.GetString() : q.TryGetProperty("query", out var inner) ? inner.GetString() : null;
                        if (text is { Length: > 0 }) queries.Add(new Query(name, "variable " + variable.GetProperty("name").GetString(), text));
                    }
        }
        return queries;
    }

    static string? NoValue(JsonElement panel) =>
        panel.TryGetProperty("fieldConfig", out var config) && config.TryGetProperty("defaults", out var defaults)
            && defaults.TryGetProperty("noValue", out var text) ? text.GetString() : null;

    static IEnumerable<JsonElement> Panels(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var inner)) foreach (var p in Panels(inner)) yield return p;
        }
    }

    /// <summary>label_values(metric, label) is Grafana's, not PromQL: as PromQL it is the metric itself.</summary>
    public static string AsPromQL(string expr, string study) =>
        LabelValues().Replace(expr, "$1")
            .Replace("${study}", study).Replace("$study", study)
            .Replace("$__rate_interval", "1m").Replace("$__interval", "15s").Replace("$__range", "10m");

    public static IEnumerable<string> MetricNames(string expr) =>
        MetricName().Matches(LabelValues().Replace(expr, "$1")).Select(m => m.Value).Distinct();

    [GeneratedRegex(@"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s*,\s*[a-zA-Z_]+\s*\)")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\b(?:study|orleans)_[a-z0-9_]+\b|\btarget_info\b|\bup\b(?=\s*[{\[)]|\s*$)")]
    private static partial Regex MetricName();
}
