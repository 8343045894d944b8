using MathNet.Numerics.LinearAlgebra;

namespace Study.Grains.Sampling;

/// <summary>
/// Bayesian optimisation of the objective over log τ: a Gaussian process (<see cref="SparseGaussianProcess"/>) and
/// expected improvement over a fine candidate grid. It starts from the given τ values, or from three spread over the
/// range; a batch of several proposals comes from one posterior, each further point chosen with the improvement
/// damped near those already chosen and near the trials still pending (local penalisation, González et al. 2016),
/// so a batch spreads out and does not crowd the running trials.
/// </summary>
public sealed class GpEiSampler : ITauSampler
{
    const int CandidateCount = 384;
    const double Exploration = 0.01;
    /// <summary>Points of one batch keep at least this far apart (in the unit log-τ range).</summary>
    const double BatchSpacing = 1.0 / 64;
    /// <summary>Width of the damping around a chosen point, about half the process's length scale.</summary>
    const double PenaltyRadius = 0.06;
    readonly double logMin, logMax;
    readonly int budget;
    readonly Queue<double> initial;
    readonly SparseGaussianProcess process = new();
    readonly double[] candidates;
    readonly Matrix<double> candidateFeatures;
    readonly double[] candidateTaus;
    readonly HashSet<double> proposed = [];
    readonly Random random;
    bool exhausted;

    public GpEiSampler(double tauMin, double tauMax, int budget, IReadOnlyList<double> start, long seed)
    {
        logMin = Math.Log(tauMin);
        logMax = Math.Log(tauMax);
        this.budget = budget;
        random = new Random(unchecked((int)seed));
        var first = start.Count > 0 ? start : [Math.Exp(logMin + 0.2 * (logMax - logMin)), Math.Exp(logMin + 0.5 * (logMax - logMin)), Math.Exp(logMin + 0.8 * (logMax - logMin))];
        initial = new Queue<double>(first.Select(t => Math.Round(t, 6)).Distinct());
        candidates = Enumerable.Range(0, CandidateCount).Select(i => (double)i / (CandidateCount - 1)).ToArray();
        candidateFeatures = process.FeatureRows(candidates);
        candidateTaus = candidates.Select(x => Math.Round(FromUnit(x), 6)).ToArray();
    }

    public int Remaining => exhausted ? 0 : Math.Max(0, budget - proposed.Count);

    public bool ProposesOnDemand => true;

    public void Observe(double tau, double objective) => process.Observe(ToUnit(tau), objective);

    public void Exclude(double tau) => proposed.Add(Math.Round(tau, 6));

    public IReadOnlyList<double> Propose(int count, IReadOnlyCollection<double>? pending = null)
    {
        var proposals = new List<double>();
        while (proposals.Count < count && Remaining > 0 && initial.Count > 0)
        {
            var tau = initial.Dequeue();
            if (proposed.Add(tau)) proposals.Add(tau);
        }
        if (proposals.Count >= count || Remaining == 0) return proposals;

        // One posterior for the whole batch; each further point's expected improvement is damped near the points
        // already chosen (local penalisation), so a batch spreads out without refitting the model per point.
        var improvement = process.Count > 0 ? ExpectedImprovement() : null;
        // Trials still queued or running count as chosen: their objective is unknown, so the damping keeps the next
        // proposals away from them too (a slot freed one at a time would otherwise get a τ next to a running one).
        var chosen = (pending ?? []).Select(ToUnit).ToList();
        int misses = 0;
        while (proposals.Count < count && Remaining > 0)
        {
            double x = improvement is null ? random.NextDouble() : BestCandidate(improvement, chosen);
            chosen.Add(x);
            double tau = TauLattice.Round(FromUnit(x));
            if (!proposed.Add(tau))
            {
                tau = TauLattice.Round(FromUnit(random.NextDouble()));
                if (!proposed.Add(tau))
                {
                    if (++misses < TauLattice.MaxMisses) continue;
                    // Nearly every value of the range is taken: take a free one in order, or end the search.
                    if (TauLattice.NextFree(FromUnit(0), FromUnit(1), tau, proposed) is not { } free) { exhausted = true; break; }
                    proposed.Add(free);
                    tau = free;
                }
            }
            proposals.Add(tau);
            misses = 0;
        }
        return proposals;
    }

    double[] ExpectedImprovement()
    {
        var (means, sds) = process.Predict(candidateFeatures);
        double best = process.BestObserved;
        var ei = new double[candidates.Length];
        for (int i = 0; i < ei.Length; i++)
        {
            double improvement = means[i] - best - Exploration;
            double z = improvement / sds[i];
            ei[i] = improvement * NormalCdf(z) + sds[i] * Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);
        }
        return ei;
    }

    double BestCandidate(double[] improvement, List<double> chosen)
    {
        double bestScore = double.NegativeInfinity, bestX = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            if (proposed.Contains(candidateTaus[i])) continue;
            double penalty = 1;
            foreach (var c in chosen)
            {
                double d = candidates[i] - c;
                if (Math.Abs(d) < BatchSpacing) { penalty = 0; break; }
                penalty *= 1 - Math.Exp(-d * d / (2 * PenaltyRadius * PenaltyRadius));
            }
            if (penalty == 0) continue;
            double score = improvement[i] * penalty;
            if (score > bestScore) { bestScore = score; bestX = candidates[i]; }
        }
        return bestX;
    }

    /// <summary>Φ(z) from erfc (Abramowitz and Stegun 7.1.26, error below 1.5e-7): enough for ranking improvements.</summary>
    static double NormalCdf(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-x * x);
        return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }

    double ToUnit(double tau) => Math.Clamp((Math.Log(tau) - logMin) / (logMax - logMin), 0, 1);
    double FromUnit(double x) => Math.Exp(logMin + x * (logMax - logMin));
}
