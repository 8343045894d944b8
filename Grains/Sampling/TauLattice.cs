namespace Study.Grains.Sampling;

/// <summary>
/// τ as the samplers keep it: rounded to 6 decimals (trial ids, deduplication), so a range holds finitely many
/// values. When drawing keeps hitting values already taken, the free ones are taken in order instead, so that
/// every proposal loop ends.
/// </summary>
public static class TauLattice
{
    /// <summary>Draws that may hit taken values in a row before the lattice is searched instead.</summary>
    public const int MaxMisses = 1_000;
    public const int Decimals = 6;
    const double Scale = 1e6;

    public static double Round(double tau) => Math.Round(tau, Decimals);

    /// <summary>How many τ at <see cref="Decimals"/> decimals lie in [min, max].</summary>
    public static long Count(double min, double max)
    {
        var (first, last) = Bounds(min, max);
        return Math.Max(0, last - first + 1);
    }

    /// <summary>The first and last lattice points of [min, max], in millionths.</summary>
    static (long First, long Last) Bounds(double min, double max) =>
        ((long)Math.Ceiling(Math.Round(min * Scale, 3)), (long)Math.Floor(Math.Round(max * Scale, 3)));

    /// <summary>The free value of [min, max] nearest above <paramref name="from"/> (wrapping round), or null when
    /// every value of the range is taken.</summary>
    public static double? NextFree(double min, double max, double from, IReadOnlySet<double> taken)
    {
        var (first, last) = Bounds(min, max);
        if (last < first) return null;
        long start = Math.Clamp((long)Math.Round(from * Scale), first, last), count = last - first + 1;
        for (long i = 0; i < count; i++)
        {
            double tau = (first + (start - first + i) % count) / Scale;
            if (!taken.Contains(Round(tau))) return Round(tau);
        }
        return null;
    }
}
