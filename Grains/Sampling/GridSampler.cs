namespace Study.Grains.Sampling;

/// <summary>The given τ values, in order, each once.</summary>
public sealed class GridSampler(IReadOnlyList<double> taus) : ITauSampler
{
    readonly List<double> left = taus.Distinct().ToList();

    public IReadOnlyList<double> Propose(int count, IReadOnlyCollection<double>? pending = null)
    {
        var proposals = left.Take(Math.Max(0, count)).ToArray();
        left.RemoveRange(0, proposals.Length);
        return proposals;
    }

    public void Observe(double tau, double objective) { }

    public void Exclude(double tau) => left.Remove(tau);

    public int Remaining => left.Count;

    public bool ProposesOnDemand => false;
}
