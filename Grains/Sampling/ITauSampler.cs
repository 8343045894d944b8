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

    /// <summary>false: every τ is known at the start (the coordinator takes them all at once); true: each proposal
    /// depends on the results so far, so the coordinator asks as slots free up.</summary>
    bool ProposesOnDemand { get; }
}
