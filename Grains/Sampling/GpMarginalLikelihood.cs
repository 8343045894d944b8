using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Study.Grains.Sampling;

/// <summary>
/// Fits a <see cref="GaussianProcess"/>'s length scale, signal variance and noise variance by maximising the log
/// marginal likelihood of the (standardised) observations, log N(y | 0, K + σ²I) — or in the DTC form of a large study
/// log N(y | 0, Q_nn + σ²I) with Q_nn = K_nm K_mm⁻¹ K_mn — by MathNet's Nelder–Mead simplex over their logarithms
/// within bounds, from the previous fit and (until the study is large) from a default start.
/// </summary>
public static class GpMarginalLikelihood
{
    // Bounds in the unit cube of log τ and in standardised units: a length scale below 1/20 of the range would chase
    // seed noise; the noise may go nearly to zero (a deterministic objective) or take almost all of the variance.
    const double MinLength = 0.05, MaxLength = 3, MinSignal = 0.05, MaxSignal = 20, MinNoise = 1e-4, MaxNoise = 2;

    /// <param name="inducing">null: the exact likelihood; else the DTC one over these inducing points</param>
    public static double LogLikelihood(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, IReadOnlyList<double[]>? inducing,
        GpHyperparameters hyper)
    {
        int n = targets.Count;
        var y = Vector<double>.Build.DenseOfEnumerable(targets);
        if (inducing is null)
        {
            var k = GpFactors.Exact(points, hyper);
            return -0.5 * y.DotProduct(k.Solve(y)) - 0.5 * k.DeterminantLn - 0.5 * n * Math.Log(2 * Math.PI);
        }
        var f = GpFactors.Sparse(points, targets, inducing, hyper);
        double noise = hyper.NoiseVariance;
        // Woodbury: yᵀ(Q + σ²I)⁻¹y = yᵀy/σ² − bᵀA⁻¹b; log|Q + σ²I| = log|A| − log|K_mm| + n log σ².
        double quadratic = f.YSquares / noise - f.B.DotProduct(f.Alpha);
        double logDet = f.A.DeterminantLn - f.Kmm.DeterminantLn + n * Math.Log(noise);
        return -0.5 * quadratic - 0.5 * logDet - 0.5 * n * Math.Log(2 * Math.PI);
    }

    /// <param name="warm">start from <paramref name="previous"/> only (a refit as the study grows: the fit moves little),
    /// else from the default start as well</param>
    public static GpHyperparameters Fit(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, IReadOnlyList<double[]>? inducing,
        GpHyperparameters previous, bool warm = false)
    {
        double Cost(Vector<double> theta)
        {
            var h = FromLog(theta);
            // Outside the bounds the cost grows with the distance, so the simplex walks back in.
            double outside = Math.Pow(theta[0] - Math.Log(h.LengthScale), 2) + Math.Pow(theta[1] - Math.Log(h.SignalVariance), 2)
                             + Math.Pow(theta[2] - Math.Log(h.NoiseVariance), 2);
            try { return -LogLikelihood(points, targets, inducing, h) + 100 * outside; }
            catch (ArgumentException) { return double.MaxValue / 4; }
        }
        var best = previous;
        double bestCost = Cost(ToLog(previous));
        foreach (var start in warm ? [previous] : new[] { previous, GpHyperparameters.Initial })
        {
            try
            {
                var result = new NelderMeadSimplex(1e-3, 200).FindMinimum(ObjectiveFunction.Value(Cost), ToLog(start),
                    Vector<double>.Build.Dense([0.5, 0.5, 0.5]));
                double cost = Cost(result.MinimizingPoint);
                if (cost < bestCost) { bestCost = cost; best = FromLog(result.MinimizingPoint); }
            }
            catch (MaximumIterationsException) { }
        }
        return best;
    }

    static Vector<double> ToLog(GpHyperparameters h) =>
        Vector<double>.Build.Dense([Math.Log(h.LengthScale), Math.Log(h.SignalVariance), Math.Log(h.NoiseVariance)]);

    static GpHyperparameters FromLog(Vector<double> theta) => new(
        Math.Clamp(Math.Exp(theta[0]), MinLength, MaxLength),
        Math.Clamp(Math.Exp(theta[1]), MinSignal, MaxSignal),
        Math.Clamp(Math.Exp(theta[2]), MinNoise, MaxNoise));
}
