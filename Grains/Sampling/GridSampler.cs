namespace Study.Grains.Sampling;

/// <summary>The given τ values (or τ ranges), in order, each once.</summary>
public sealed class GridSampler(IReadOnlyList<TauSetting> points) : ITauSampler
{
    readonly List<TauSetting> left = points.Distinct().ToList();

    public IReadOnlyList<TauSetting> Propose(int count, IReadOnlyCollection<TauSetting>? pending = null)
    {
        var proposals = left.Take(Math.Max(0, count)).ToArray();
        left.RemoveRange(0, proposals.Length);
        return proposals;
    }

    public void Observe(TauSetting tau, double objective) { }

    public void Exclude(TauSetting tau) => left.Remove(tau);

    public int Remaining => left.Count;

    public bool ProposesOnDemand => false;
}
