using Study.Grains;
using Study.Grains.Pruning;

namespace Study.Client.Reporting;

/// <summary>
/// The report's short automatic reading: does uniformity fall and tolerance rise with τ as in the paper, where the
/// objective peaks, which trials were pruned, collapsed or failed and why. A trend is claimed only when it stands out of the
/// seed spread (several seeds per τ, slope of the metric on log τ at least twice its standard error, and the τ
/// means spread wider than twice the seeds' standard deviation); otherwise, and with one seed, it says "inconclusive".
/// </summary>
public static class ReportReading
{
    public static IReadOnlyList<string> Read(ReportData data)
    {
        var lines = new List<string>();
        if (data.Spec.SearchesRanges)
            lines.Add($"τ follows a cosine schedule from τ+ down to τ− and back every {ReportPlots.Number(data.Spec.TauPeriod)} epochs: each trial is " +
                      "named by its range τ−–τ+ and stands at its mean τ, (τ− + τ+)/2, in the trends and figures.");
        if (!data.Spec.UsesTau)
            lines.Add($"The {data.Spec.Loss} loss has no temperature: there is no trend in τ to read.");
        else
        {
            lines.Add(Trend(data, g => g.Uniformity, t => t.Metrics?.Uniformity, "Uniformity", expectedSign: -1, "falls"));
            lines.Add(Trend(data, g => g.Tolerance, t => t.Metrics?.Tolerance, "Tolerance", expectedSign: +1, "rises"));
            lines.Add(Peak(data));
        }
        if (data.Pareto.Count > 0)
            lines.Add("The uniformity–tolerance Pareto set: " + string.Join(", ", data.Trials.Where(t => data.Pareto.Contains(t.Record.TrialId))
                .Select(t => data.Spec.Seeds > 1 ? $"τ = {t.Label} (seed {t.Record.Seed})" : $"τ = {t.Label}")) + ".");
        lines.AddRange(Ended(data));
        return lines;
    }

    static string Trend(ReportData data, Func<TauGroup, SeedSummary?> summary, Func<ReportTrial, double?> value, string name,
        int expectedSign, string paperVerb)
    {
        var groups = data.Groups.Where(g => summary(g) is not null).ToList();
        if (groups.Count < 3)
            return $"{name}: inconclusive — fewer than three temperatures completed ({groups.Count}).";
        double rho = MathNet.Numerics.Statistics.Correlation.Spearman(groups.Select(g => g.Tau), groups.Select(g => summary(g)!.Mean));
        string direction = rho <= -0.8 ? "falls" : rho >= 0.8 ? "rises" : "shows no monotone trend";
        string observed = $"{name} {direction} as τ rises across {groups.Count} temperatures (Spearman ρ = {rho:0.00})";
        string paper = $"the paper: it {paperVerb} with τ";
        if (groups.Any(g => summary(g)!.Count < 2))
            return $"{observed}; inconclusive: with one seed per τ the seed spread is unknown ({paper}; run with --seeds 3 to test it).";
        var points = data.Trials.Where(t => t.Completed && t.Tau is not null && value(t) is not null)
            .Select(t => (X: Math.Log10(t.Tau!.Value), Y: value(t)!.Value)).ToList();
        var (slope, standardError) = Regression(points);
        double pooledSd = Math.Sqrt(groups.Average(g => summary(g)!.Sd * summary(g)!.Sd));
        double spread = groups.Max(g => summary(g)!.Mean) - groups.Min(g => summary(g)!.Mean);
        bool stands = standardError > 0 && Math.Abs(slope / standardError) >= 2 && spread > 2 * pooledSd;
        if (!stands)
            return $"{observed}; inconclusive: the differences are inside the seed spread (slope {slope:0.000} ± {standardError:0.000} per decade of τ, seed sd {pooledSd:0.000}).";
        bool asPaper = Math.Sign(slope) == expectedSign;
        return $"{name} {(slope < 0 ? "falls" : "rises")} with τ beyond the seed spread (slope {slope:0.000} ± {standardError:0.000} per decade of τ, " +
               $"seed sd {pooledSd:0.000}): {(asPaper ? "as in the paper" : "unlike the paper")}.";
    }

    static string Peak(ReportData data)
    {
        var groups = data.Groups.Where(g => g.Objective is not null).ToList();
        if (groups.Count == 0) return $"{data.ObjectiveName}: no completed trial to read.";
        var ranked = groups.OrderByDescending(g => g.Objective!.Mean).ToList();
        var best = ranked[0];
        string where = groups.Count < 3 ? "" :
            best.Tau == groups.Min(g => g.Tau) ? " — at the smallest τ searched: the optimum may lie below the range" :
            best.Tau == groups.Max(g => g.Tau) ? " — at the largest τ searched: the optimum may lie above the range" :
            " — inside the range searched";
        string text = $"{data.ObjectiveName} peaks at τ = {best.Label} ({best.Objective!.Mean:0.0000}){where}";
        if (ranked.Count < 2) return text + ".";
        var second = ranked[1];
        if (best.Objective.Count < 2 || second.Objective!.Count < 2)
            return text + $"; inconclusive whether it beats τ = {second.Label} ({second.Objective!.Mean:0.0000}): one seed per τ.";
        double gap = best.Objective.Mean - second.Objective.Mean;
        double noise = Math.Max(best.Objective.Sd, second.Objective.Sd);
        return gap > noise
            ? text + $", ahead of τ = {second.Label} by {gap:0.0000}, more than the seed sd ({noise:0.0000})."
            : text + $"; inconclusive against τ = {second.Label}: the gap ({gap:0.0000}) is inside the seed sd ({noise:0.0000}).";
    }

    static IEnumerable<string> Ended(ReportData data)
    {
        foreach (var t in data.Trials)
        {
            var r = t.Record;
            string who = $"Trial {r.TrialId} (τ = {t.Label}, seed {r.Seed})";
            if (r.Status == TrialStatuses.Pruned)
                yield return $"{who} was pruned by the {SettingName.Of(data.Spec.Pruner)} pruner after {r.EpochsCompleted} of {data.Spec.Epochs} epochs: " +
                             $"{TrialPruners.Create(data.Spec).PruneReason}.";
            else if (r.Status == TrialStatuses.Collapsed)
                yield return $"{who} collapsed after {r.EpochsCompleted} of {data.Spec.Epochs} epochs and was stopped ({r.Error ?? "no reason recorded"}): " +
                             "its embedding is a defect, not a data point, and the search counted it as the worst objective.";
            else if (r.Status == TrialStatuses.Failed)
                yield return $"{who} failed after {r.Attempt} attempt(s): {r.Error ?? "no reason recorded"}.";
            else if (r.Status == TrialStatuses.Cancelled)
                yield return $"{who} was cancelled after {r.EpochsCompleted} epoch(s).";
        }
    }

    /// <summary>Least-squares slope of y on x and its standard error.</summary>
    static (double Slope, double StandardError) Regression(IReadOnlyList<(double X, double Y)> points)
    {
        int n = points.Count;
        if (n < 3) return (0, 0);
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        if (sxx == 0) return (0, 0);
        double slope = points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
        double residual = points.Sum(p => Math.Pow(p.Y - my - slope * (p.X - mx), 2));
        return (slope, Math.Sqrt(residual / (n - 2) / sxx));
    }
}
