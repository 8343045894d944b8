using Study.Grains;
using Study.Grains.Pruning;

namespace Study.Client.Reporting;

/// <summary>
/// The report's short automatic reading: does uniformity fall and tolerance rise with τ as in the paper, where the
/// objective peaks, which trials were pruned, collapsed or failed and why. A trend is claimed only when it stands out of the
/// seed spread (several seeds per τ, the slope of the metric on log τ significant by its t-test at 5%, and the τ means
/// spread wider than twice the seeds' standard deviation); a peak only when the best τ is ahead of every other by a paired
/// t-test over their shared seeds, Holm-corrected (<see cref="BestTauContrast"/>). Otherwise it says "inconclusive",
/// with the p-values.
/// </summary>
public static class ReportReading
{
    public static IReadOnlyList<string> Read(ReportData data)
    {
        var lines = new List<string>();
        if (data.Spec.SearchesRanges)
            lines.Add($"τ follows a cosine schedule from τ+ down to τ− and back every {Numbers.Setting(data.Spec.TauPeriod)} epochs: each trial is " +
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
        string observed = $"{name} {direction} as τ rises across {groups.Count} temperatures (Spearman ρ = {Numbers.Fixed(rho, 2)})";
        string paper = $"the paper: it {paperVerb} with τ";
        if (groups.Any(g => summary(g)!.Count < 2))
            return $"{observed}; inconclusive: with one seed per τ the seed spread is unknown ({paper}; run with --seeds 3 to test it).";
        var points = data.Trials.Where(t => t.Completed && t.Tau is not null && value(t) is not null)
            .Select(t => (X: Math.Log10(t.Tau!.Value), Y: value(t)!.Value)).ToList();
        var (slope, standardError) = Regression(points);
        // The slope's t-test (n − 2 degrees of freedom); a zero standard error with a slope is a perfect line.
        double p = standardError > 0 ? 2 * MathNet.Numerics.Distributions.StudentT.CDF(0, 1, points.Count - 2, -Math.Abs(slope / standardError))
            : slope != 0 ? 0 : 1;
        double pooledSd = Math.Sqrt(groups.Average(g => summary(g)!.Sd * summary(g)!.Sd));
        double spread = groups.Max(g => summary(g)!.Mean) - groups.Min(g => summary(g)!.Mean);
        bool stands = p < Significance.Level && spread > 2 * pooledSd;
        string fit = $"slope {Numbers.Fixed(slope, 3)} ± {Numbers.Fixed(standardError, 3)} per decade of τ, {Significance.Format(p)}, n = {points.Count}, seed sd {Numbers.Fixed(pooledSd, 3)}";
        if (!stands)
            return $"{observed}; inconclusive: the differences are inside the seed spread ({fit}).";
        bool asPaper = Math.Sign(slope) == expectedSign;
        return $"{name} {(slope < 0 ? "falls" : "rises")} with τ beyond the seed spread ({fit}): {(asPaper ? "as in the paper" : "unlike the paper")}.";
    }

    static string Peak(ReportData data)
    {
        var groups = data.Groups.Where(g => g.Objective is not null).ToList();
        if (groups.Count == 0) return $"{data.ObjectiveName}: no completed trial to read.";
        var contrast = data.Contrast!;
        var best = groups.Single(g => g.Setting == contrast.Best);
        string where = groups.Count < 3 ? "" :
            best.Tau == groups.Min(g => g.Tau) ? " — at the smallest τ searched: the optimum may lie below the range" :
            best.Tau == groups.Max(g => g.Tau) ? " — at the largest τ searched: the optimum may lie above the range" :
            " — inside the range searched";
        // "Peaks" only where the tests say so; otherwise the highest mean, and why it is not more.
        string text = $"{data.ObjectiveName} {(contrast.Decided ? "peaks" : "is highest")} at τ = {best.Label} ({Numbers.Metric(best.Objective!.Mean)}){where}";
        if (contrast.Others.Count == 0) return text + ".";
        // Nearest competitor first.
        var others = contrast.Others.OrderBy(o => o.MeanDifference ?? double.MaxValue).ToList();
        string Against(VersusBest o) => $"τ = {o.Setting.Label} by {Numbers.Metric(o.MeanDifference)} (Holm {Significance.Format(o.PHolm!.Value)}, {o.Pairs} seeds)";
        const string how = "paired t-tests over the seeds each τ shares with the best, Holm-corrected";
        if (contrast.Decided)
            return text + $", ahead of {string.Join(" and ", others.Select(Against))}: {how}.";
        var untested = others.Where(o => o.PHolm is null).ToList();
        var notSignificant = others.Where(o => o.PHolm is not null && !o.Significant).ToList();
        var parts = new List<string>();
        if (notSignificant.Count > 0)
            parts.Add($"not significantly ahead of {string.Join(" or ", notSignificant.Select(Against))}");
        if (untested.Count > 0)
            parts.Add($"untested against {string.Join(", ", untested.Select(o => $"τ = {o.Setting.Label}"))} " +
                      $"({(data.Spec.Seeds < 2 ? "one seed per τ" : "fewer than two seeds in common")}; run with --seeds 3 or more)");
        var ahead = others.Where(o => o.Significant).ToList();
        if (ahead.Count > 0) parts.Add($"ahead of {string.Join(" and ", ahead.Select(Against))}");
        return text + $"; inconclusive against the others: {string.Join("; ", parts)} ({how}).";
    }

    static IEnumerable<string> Ended(ReportData data)
    {
        foreach (var t in data.Trials)
        {
            var r = t.Record;
            string who = $"Trial {r.TrialId} (τ = {t.Label}, seed {r.Seed})";
            if (r.Status == TrialStatus.Pruned)
                yield return $"{who} was pruned by the {SettingName.Of(data.Spec.Pruner)} pruner after {r.EpochsCompleted} of {data.Spec.Epochs} epochs: " +
                             $"{TrialPruners.Create(data.Spec).PruneReason}.";
            else if (r.Status == TrialStatus.Collapsed)
                yield return $"{who} collapsed after {r.EpochsCompleted} of {data.Spec.Epochs} epochs and was stopped ({r.Error ?? "no reason recorded"}): " +
                             "its embedding is a defect, not a data point, and the search counted it as the worst objective.";
            else if (r.Status == TrialStatus.Failed)
                yield return $"{who} failed after {r.Attempt} attempt(s): {r.Error ?? "no reason recorded"}.";
            else if (r.Status == TrialStatus.Cancelled)
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
