namespace Study.Grains.Sampling;

/// <summary>
/// Which τ to try next (the searcher, in Ray Tune's terms). Proposals are distinct from each other and from every
/// τ proposed before; observations are the objective (higher is better) of completed trials.
/// </summary>
public interface ITauSampler
{
    /// <summary>Up to <paramref name="count"/> new τ values; fewer (or none) when the search is exhausted.</summary>
    /// <param name="pending">τ of trials queued or running now, whose objective is not known yet: an adaptive
    /// sampler proposes away from them as from the points of its own batch</param>
    IReadOnlyList<double> Propose(int count, IReadOnlyCollection<double>? pending = null);

    void Observe(double tau, double objective);

    /// <summary>Counts <paramref name="tau"/> as proposed already (restoring a sampler from a stored study).</summary>
    void Exclude(double tau);

    /// <summary>How many τ values the sampler may still propose.</summary>
    int Remaining { get; }
}

public static class TauSamplers
{
    public static readonly IReadOnlyList<string> Names = ["grid", "random", "adaptive"];

    /// <param name="grid">the --taus values (grid) or the starting points (adaptive, when given)</param>
    /// <param name="budget">τ values in all (grid: the grid's size)</param>
    public static ITauSampler Create(string search, IReadOnlyList<double> grid, bool gridGiven, int budget, double tauMin, double tauMax, long seed) =>
        search switch
        {
            "grid" => new GridSampler(grid),
            "random" => new RandomSampler(tauMin, tauMax, budget, seed),
            "adaptive" => new GpEiSampler(tauMin, tauMax, budget, gridGiven ? grid : [], seed),
            _ => throw new ArgumentException($"unknown search '{search}'"),
        };
}
