using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Study.Grains.Sampling;

/// <summary>
/// Bayesian optimisation of the objective over log τ: a Gaussian process (<see cref="SparseGaussianProcess"/>) and
/// expected improvement over a fine candidate grid. It starts from the given τ values, or from three spread over the
/// range; a batch of several proposals is chosen one by one, each time "believing" the model's mean at the chosen
/// point (kriging believer), which lowers the improvement expected near it, so a batch spreads out.
/// </summary>
public sealed class GpEiSampler : ITauSampler
{
    const int CandidateCount = 1024;
    const double Exploration = 0.01;
    /// <summary>Points of one batch keep at least this far apart (in the unit log-τ range): believing the mean at a
    /// chosen point only shrinks the variance to the noise level, which alone lets a batch bunch up near the peak.</summary>
    const double BatchSpacing = 1.0 / 64;
    readonly double logMin, logMax;
    readonly int budget;
    readonly Queue<double> initial;
    readonly SparseGaussianProcess process = new();
    readonly double[] candidates;
    readonly Matrix<double> candidateFeatures;
    readonly HashSet<double> proposed = [];
    readonly Random random;

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
    }

    public int Remaining => budget - proposed.Count;

    public int Observations => process.Count;

    public void Observe(double tau, double objective) => process.Observe(ToUnit(tau), objective);

    public void Exclude(double tau) => proposed.Add(Math.Round(tau, 6));

    public IReadOnlyList<double> Propose(int count)
    {
        var proposals = new List<double>();
        while (proposals.Count < count && Remaining > 0 && initial.Count > 0)
        {
            var tau = initial.Dequeue();
            if (proposed.Add(tau)) proposals.Add(tau);
        }
        if (proposals.Count >= count || Remaining == 0) return proposals;

        var model = process.Clone();
        var batch = new List<double>();
        // Pending proposals of this batch are believed at the model's mean; without observations, spread at random.
        while (proposals.Count < count && Remaining > 0)
        {
            double x = model.Count == 0 ? random.NextDouble() : BestCandidate(model, batch);
            batch.Add(x);
            double tau = Math.Round(FromUnit(x), 6);
            if (!proposed.Add(tau)) { tau = Math.Round(FromUnit(random.NextDouble()), 6); if (!proposed.Add(tau)) continue; }
            proposals.Add(tau);
            if (model.Count > 0)
            {
                var (mean, _) = model.Predict(model.FeatureRows([ToUnit(tau)]));
                model.Observe(ToUnit(tau), mean[0]);
            }
        }
        return proposals;
    }

    double BestCandidate(SparseGaussianProcess model, List<double> batch)
    {
        var (means, sds) = model.Predict(candidateFeatures);
        double best = model.BestObserved, bestScore = double.NegativeInfinity, bestX = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            double tau = Math.Round(FromUnit(candidates[i]), 6);
            if (proposed.Contains(tau) || batch.Any(b => Math.Abs(b - candidates[i]) < BatchSpacing)) continue;
            double improvement = means[i] - best - Exploration;
            double z = improvement / sds[i];
            double ei = improvement * Normal.CDF(0, 1, z) + sds[i] * Normal.PDF(0, 1, z);
            if (ei > bestScore) { bestScore = ei; bestX = candidates[i]; }
        }
        return bestX;
    }

    double ToUnit(double tau) => Math.Clamp((Math.Log(tau) - logMin) / (logMax - logMin), 0, 1);
    double FromUnit(double x) => Math.Exp(logMin + x * (logMax - logMin));
}
