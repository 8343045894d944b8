namespace Study.Grains.Sampling;

/// <summary>
/// Which τ to try next (the searcher, in Ray Tune's terms): one τ, or the (τ−, τ+) range of a cosine schedule.
/// Proposals are distinct from each other and from every point proposed before; observations are the objective
/// (higher is better) of completed trials.
/// </summary>
public interface ITauSampler
{
    /// <summary>Up to <paramref name="count"/> new points; fewer (or none) when the search is exhausted.</summary>
    /// <param name="pending">points of trials queued or running now, whose objective is not known yet: an adaptive
    /// sampler proposes away from them as from the points of its own batch</param>
    IReadOnlyList<TauSetting> Propose(int count, IReadOnlyCollection<TauSetting>? pending = null);

    void Observe(TauSetting tau, double objective);

    /// <summary>A trial's validation kNN accuracy after one of its epochs: what a sampler may learn from before trials
    /// complete (most of them never do under a pruner).</summary>
    void ObserveEpoch(TauSetting tau, int epoch, double value) { }

    /// <summary>A trial at <paramref name="tau"/> collapsed (docs/OUTPUTS.md): a sampler that models the objective counts the
    /// point as the worst value observed, at every level it has seen it, so the search moves away from it.</summary>
    void ObserveCollapse(TauSetting tau) { }

    /// <summary>Counts <paramref name="tau"/> as proposed already (restoring a sampler from a stored study).</summary>
    void Exclude(TauSetting tau);

    /// <summary>How many points the sampler may still propose.</summary>
    int Remaining { get; }

    /// <summary>false: every point is known at the start (the coordinator takes them all at once); true: each proposal
    /// depends on the results so far, so the coordinator asks as slots free up.</summary>
    bool ProposesOnDemand { get; }
}
