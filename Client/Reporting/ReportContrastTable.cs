using System.Net;
using System.Text;

namespace Study.Client.Reporting;

/// <summary>The report's table of the best τ against each other τ: the tests its reading rests on.</summary>
public static class ReportContrastTable
{
    public static string Html(ReportData data)
    {
        if (data.Contrast is not { Others.Count: > 0 } contrast) return "";
        var html = new StringBuilder();
        html.Append($"<h3>The best τ against the others</h3><p>{E(data.ObjectiveName)}: τ = {E(contrast.Best.Label)} has the highest mean. " +
                    "Each other τ is compared with it by a paired t-test over the seeds both have (two-sided), and the p-values are " +
                    $"corrected for the number of τ tested (Holm). A difference counts at Holm p &lt; {Significance.Level}.</p>" +
                    "<table id=\"versus-best\"><thead><tr><th>τ</th><th>seeds shared</th><th>best − τ</th><th>t</th><th>p</th><th>Holm p</th>" +
                    "<th>significant</th></tr></thead><tbody>");
        foreach (var o in contrast.Others)
            html.Append($"<tr><td>{E(o.Setting.Label)}</td><td>{o.Pairs}</td><td>{Numbers.Metric(o.MeanDifference)}</td><td>{Numbers.Fixed(o.T, 2)}</td>" +
                        $"<td>{P(o.P)}</td><td>{P(o.PHolm)}</td><td>{(o.PHolm is null ? "untested" : o.Significant ? "yes" : "no")}</td></tr>");
        html.Append("</tbody></table>");
        return html.ToString();
    }

    static string P(double? p) => p is { } v ? E(Significance.Value(v)) : "-";

    static string E(string text) => WebUtility.HtmlEncode(text);
}
