namespace Study.Grains.Sampling;

/// <summary>τ (or τ− &lt; τ+) log-uniform in the space's range, from a seeded generator: the same seed gives the same sequence.</summary>
public sealed class RandomSampler(TauSpace space, int budget, long seed) : ITauSampler
{
    readonly Random random = new(unchecked((int)(seed * 2654435761L)));
    readonly HashSet<TauSetting> proposed = [];
    bool exhausted;

    public RandomSampler(double tauMin, double tauMax, int budget, long seed) : this(new TauSpace(tauMin, tauMax, ranges: false), budget, seed) { }

    public IReadOnlyList<TauSetting> Propose(int count, IReadOnlyCollection<TauSetting>? pending = null)
    {
        var proposals = new List<TauSetting>();
        int misses = 0;
        while (proposals.Count < count && Remaining > 0)
        {
            var point = space.Draw(random);
            if (point is { } p && proposed.Add(p)) { proposals.Add(p); misses = 0; continue; }
            if (++misses < TauLattice.MaxMisses) continue;
            // Nearly every value of the range is taken: take a free one in order (single τ), or end the search.
            if (space.Ranges || TauLattice.NextFree(space.Min, space.Max, point!.Value.Tau, proposed.Select(t => t.Tau).ToHashSet()) is not { } free)
            {
                exhausted = true;
                break;
            }
            proposed.Add(free);
            proposals.Add(free);
            misses = 0;
        }
        return proposals;
    }

    public void Observe(TauSetting tau, double objective) { }

    public void Exclude(TauSetting tau) => proposed.Add(tau);

    public int Remaining => exhausted ? 0 : Math.Max(0, budget - proposed.Count);

    public bool ProposesOnDemand => false;
}
