namespace Study.Grains.Sampling;

/// <summary>The given τ values, in order, each once.</summary>
public sealed class GridSampler(IReadOnlyList<double> taus) : ITauSampler
{
    readonly double[] grid = taus.Distinct().ToArray();
    int next;

    public IReadOnlyList<double> Propose(int count)
    {
        var proposals = grid.Skip(next).Take(Math.Max(0, count)).ToArray();
        next += proposals.Length;
        return proposals;
    }

    public void Observe(double tau, double objective) { }

    public int Remaining => grid.Length - next;
}
