namespace Study.Grains.Sampling;

/// <summary>τ log-uniform in [min, max], from a seeded generator: the same seed gives the same sequence.</summary>
public sealed class RandomSampler(double tauMin, double tauMax, int budget, long seed) : ITauSampler
{
    readonly Random random = new(unchecked((int)(seed * 2654435761L)));
    readonly HashSet<double> proposed = [];

    public IReadOnlyList<double> Propose(int count)
    {
        var proposals = new List<double>();
        while (proposals.Count < count && proposed.Count < budget)
        {
            double tau = Math.Round(Math.Exp(Math.Log(tauMin) + random.NextDouble() * (Math.Log(tauMax) - Math.Log(tauMin))), 6);
            tau = Math.Clamp(tau, tauMin, tauMax);
            if (proposed.Add(tau)) proposals.Add(tau);
        }
        return proposals;
    }

    public void Observe(double tau, double objective) { }

    public void Exclude(double tau) => proposed.Add(tau);

    public int Remaining => budget - proposed.Count;
}
