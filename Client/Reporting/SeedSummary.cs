using MathNet.Numerics.Distributions;

namespace Study.Client.Reporting;

/// <summary>A metric over the seeds of one τ: mean, sample standard deviation (0 with one seed) and count, and the
/// mean's 95% Student-t interval (with two seeds or more).</summary>
public sealed record SeedSummary(double Mean, double Sd, int Count)
{
    public static SeedSummary? Of(IEnumerable<double?> values)
    {
        var xs = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).ToList();
        if (xs.Count == 0) return null;
        double mean = xs.Average();
        double sd = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : 0;
        return new SeedSummary(mean, sd, xs.Count);
    }

    /// <summary>Half the 95% interval's width, t(0.975, n − 1) · sd / √n; null with one seed.</summary>
    public double? HalfWidth95 => Count > 1 ? StudentT.InvCDF(0, 1, Count - 1, 0.975) * Sd / Math.Sqrt(Count) : null;

    public double? Low95 => HalfWidth95 is { } h ? Mean - h : null;
    public double? High95 => HalfWidth95 is { } h ? Mean + h : null;
}
