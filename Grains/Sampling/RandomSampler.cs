namespace Study.Grains.Sampling;

/// <summary>τ log-uniform in [min, max], from a seeded generator: the same seed gives the same sequence.</summary>
public sealed class RandomSampler(double tauMin, double tauMax, int budget, long seed) : ITauSampler
{
    readonly Random random = new(unchecked((int)(seed * 2654435761L)));
    readonly HashSet<double> proposed = [];
    bool exhausted;

    public IReadOnlyList<double> Propose(int count, IReadOnlyCollection<double>? pending = null)
    {
        var proposals = new List<double>();
        int misses = 0;
        while (proposals.Count < count && Remaining > 0)
        {
            double tau = TauLattice.Round(Math.Exp(Math.Log(tauMin) + random.NextDouble() * (Math.Log(tauMax) - Math.Log(tauMin))));
            tau = Math.Clamp(tau, tauMin, tauMax);
            if (proposed.Add(tau)) { proposals.Add(tau); misses = 0; continue; }
            if (++misses < TauLattice.MaxMisses) continue;
            // Nearly every value of the range is taken: take a free one in order, or end the search.
            if (TauLattice.NextFree(tauMin, tauMax, tau, proposed) is not { } free) { exhausted = true; break; }
            proposed.Add(free);
            proposals.Add(free);
            misses = 0;
        }
        return proposals;
    }

    public void Observe(double tau, double objective) { }

    public void Exclude(double tau) => proposed.Add(tau);

    public int Remaining => exhausted ? 0 : Math.Max(0, budget - proposed.Count);

    public bool ProposesOnDemand => false;
}
