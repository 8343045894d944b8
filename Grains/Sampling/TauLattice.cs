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
    const double Scale = 1e6;

    public static double Round(double tau) => Math.Round(tau, 6);

    /// <summary>The free value of [min, max] nearest above <paramref name="from"/> (wrapping round), or null when
    /// every value of the range is taken.</summary>
    public static double? NextFree(double min, double max, double from, IReadOnlySet<double> taken)
    {
        long first = (long)Math.Ceiling(Math.Round(min * Scale, 3)), last = (long)Math.Floor(Math.Round(max * Scale, 3));
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
