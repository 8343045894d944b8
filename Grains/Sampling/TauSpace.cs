namespace Study.Grains.Sampling;

/// <summary>
/// Where a search looks: τ log-uniform in [min, max], or for a cosine schedule the pairs τ− &lt; τ+ of that range.
/// Points have coordinates in the unit cube of log τ (one per searched τ), which is what the Gaussian process sees;
/// τ values are kept on the <see cref="TauLattice"/>.
/// </summary>
public sealed class TauSpace(double min, double max, bool ranges)
{
    readonly double logMin = Math.Log(min), logMax = Math.Log(max);

    public double Min => min;
    public double Max => max;
    /// <summary>Whether points are (τ−, τ+) ranges of a cosine schedule.</summary>
    public bool Ranges => ranges;
    public int Dimensions => ranges ? 2 : 1;

    public double[] ToUnit(TauSetting point) => ranges ? [Unit(point.Low), Unit(point.High)] : [Unit(point.Tau)];

    /// <summary>The point at unit coordinates, rounded to the lattice; null for a range whose ends round together.</summary>
    public TauSetting? FromUnit(IReadOnlyList<double> u)
    {
        double first = TauLattice.Round(FromUnit(u[0]));
        if (!ranges) return new TauSetting(first);
        double second = TauLattice.Round(FromUnit(u[1]));
        var (low, high) = first <= second ? (first, second) : (second, first);
        return low < high ? new TauSetting(low, high) : null;
    }

    public bool Contains(TauSetting point) =>
        point.IsRange == ranges && point.Low >= min && point.High <= max && (!ranges || point.Low < point.High);

    /// <summary>A log-uniform draw: one τ, or two sorted into a range (null when they round together).</summary>
    public TauSetting? Draw(Random random)
    {
        double[] u = ranges ? [random.NextDouble(), random.NextDouble()] : [random.NextDouble()];
        if (FromUnit(u) is not { } point) return null;
        var clamped = Clamp(point);
        return !ranges || clamped.Low < clamped.High ? clamped : null;
    }

    /// <summary>Unit coordinates where expected improvement is evaluated: an even grid of the line, or of the
    /// triangle τ− &lt; τ+ of the square.</summary>
    public IReadOnlyList<double[]> Candidates(int perAxis)
    {
        var axis = Enumerable.Range(0, perAxis).Select(i => (double)i / (perAxis - 1)).ToArray();
        if (!ranges) return axis.Select(x => new[] { x }).ToList();
        return (from a in axis from b in axis where a < b select new[] { a, b }).ToList();
    }

    /// <summary>How many distinct points the space holds on the lattice (saturating).</summary>
    public long Count
    {
        get
        {
            long values = TauLattice.Count(min, max);
            if (!ranges) return values;
            return values > 3_000_000_000L ? long.MaxValue : values * (values - 1) / 2;
        }
    }

    /// <summary>Spread starting points: 20%, 50% and 80% along the log range, or the three ranges between them.</summary>
    public IReadOnlyList<TauSetting> Spread()
    {
        double[] u = [0.2, 0.5, 0.8];
        return ranges
            ? [FromUnit([u[0], u[1]])!.Value, FromUnit([u[0], u[2]])!.Value, FromUnit([u[1], u[2]])!.Value]
            : u.Select(x => FromUnit([x])!.Value).ToList();
    }

    TauSetting Clamp(TauSetting p) => ranges
        ? new TauSetting(Math.Clamp(p.Low, min, max), Math.Clamp(p.High, min, max))
        : new TauSetting(Math.Clamp(p.Tau, min, max));

    double Unit(double tau) => Math.Clamp((Math.Log(tau) - logMin) / (logMax - logMin), 0, 1);
    double FromUnit(double x) => Math.Exp(logMin + x * (logMax - logMin));
}
