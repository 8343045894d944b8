using MathNet.Numerics.Distributions;

namespace Study.Client.Reporting;

/// <summary>The tests behind every difference the tool states: Student's paired t-test, and Holm's correction for
/// testing several differences at once.</summary>
public static class Significance
{
    /// <summary>The level at which a difference is called significant (two-sided).</summary>
    public const double Level = 0.05;

    /// <param name="Pairs">pairs tested</param>
    /// <param name="MeanDifference">mean of first − second</param>
    /// <param name="T">t statistic, with Pairs − 1 degrees of freedom (±∞ when every difference is the same, non-zero)</param>
    /// <param name="P">two-sided p-value</param>
    public sealed record PairedResult(int Pairs, double MeanDifference, double T, double P);

    /// <summary>Student's paired t-test of first − second; null with fewer than two pairs.</summary>
    public static PairedResult? PairedT(IReadOnlyList<(double First, double Second)> pairs)
    {
        int n = pairs.Count;
        if (n < 2) return null;
        var d = pairs.Select(p => p.First - p.Second).ToList();
        double mean = d.Average();
        double sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1));
        if (sd == 0) return new PairedResult(n, mean, mean == 0 ? 0 : mean * double.PositiveInfinity, mean == 0 ? 1 : 0);
        double t = mean / (sd / Math.Sqrt(n));
        return new PairedResult(n, mean, t, 2 * StudentT.CDF(0, 1, n - 1, -Math.Abs(t)));
    }

    /// <summary>Holm's step-down adjustment: the k-th smallest of m p-values times (m − k + 1), never below the one
    /// before it, at most 1. Returned in the order given.</summary>
    public static double[] Holm(IReadOnlyList<double> p)
    {
        int m = p.Count;
        var adjusted = new double[m];
        double running = 0;
        foreach (var (value, index, rank) in p.Select((v, i) => (v, i)).OrderBy(x => x.v).Select((x, k) => (x.v, x.i, k)))
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * value));
            adjusted[index] = running;
        }
        return adjusted;
    }

    /// <summary>"p = 0.038", "p < 0.0001".</summary>
    public static string Format(double p) => p < 0.0001 ? "p < 0.0001" : "p = " + Value(p);

    /// <summary>"0.038", "< 0.0001": two significant digits.</summary>
    public static string Value(double p) => p < 0.0001 ? "< 0.0001" : p.ToString("G2", System.Globalization.CultureInfo.InvariantCulture);
}
