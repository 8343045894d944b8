using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Study.Grains.Sampling;

/// <summary>
/// The Gaussian process's posterior over the latent objective (standardised units), ready to predict at many
/// points. Both forms predict from basis points B as mean k(x, B)α and variance s² − k(x, B) Q k(B, x): exactly
/// (B the observed points, α = (K + σ²I)⁻¹y, Q = (K + σ²I)⁻¹), or in the DTC form over inducing points (B the inducing
/// points, α = A⁻¹K_mn y/σ², Q = K_mm⁻¹ − A⁻¹ with A = K_mm + K_mn K_nm/σ²).
/// </summary>
public sealed class GpPosterior
{
    readonly IReadOnlyList<double[]> basis;
    readonly GpHyperparameters hyper;
    readonly Vector<double> alpha;
    readonly Matrix<double> varianceForm;

    GpPosterior(IReadOnlyList<double[]> basis, GpHyperparameters hyper, Vector<double> alpha, Matrix<double> varianceForm, double best)
    {
        this.basis = basis;
        this.hyper = hyper;
        this.alpha = alpha;
        this.varianceForm = varianceForm;
        Best = best;
    }

    /// <summary>The best standardised value observed (fantasies excluded).</summary>
    public double Best { get; }

    public static GpPosterior Exact(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, GpHyperparameters hyper, double best)
    {
        var factor = GpFactors.Exact(points, hyper);
        var y = Vector<double>.Build.DenseOfEnumerable(targets);
        return new GpPosterior(points, hyper, factor.Solve(y), factor.Solve(Matrix<double>.Build.DenseIdentity(points.Count)), best);
    }

    public static GpPosterior Sparse(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, IReadOnlyList<double[]> inducing,
        GpHyperparameters hyper, double best)
    {
        var f = GpFactors.Sparse(points, targets, inducing, hyper);
        var identity = Matrix<double>.Build.DenseIdentity(inducing.Count);
        return new GpPosterior(inducing, hyper, f.Alpha, f.Kmm.Solve(identity) - f.A.Solve(identity), best);
    }

    public (double[] Mean, double[] Sd) Predict(IReadOnlyList<double[]> at)
    {
        var k = GaussianProcess.KernelMatrix(at, basis, hyper);
        var means = k * alpha;
        var explained = (k * varianceForm).PointwiseMultiply(k).RowSums();
        var sds = new double[at.Count];
        for (int i = 0; i < sds.Length; i++) sds[i] = Math.Sqrt(Math.Max(hyper.SignalVariance - explained[i], 1e-12 * hyper.SignalVariance));
        return (means.ToArray(), sds);
    }
}

/// <summary>The DTC form's factorisations: K_mm and A = K_mm + K_mn K_nm/σ² (Cholesky both), b = K_mn y/σ², α = A⁻¹b.</summary>
sealed record SparseFactors(Cholesky<double> Kmm, Cholesky<double> A, Vector<double> B, Vector<double> Alpha, double YSquares);

/// <summary>The Cholesky factorisations both posteriors and the marginal likelihood are computed from.</summary>
static class GpFactors
{
    /// <summary>K + σ²I of the observed points (the noise keeps it well conditioned).</summary>
    public static Cholesky<double> Exact(IReadOnlyList<double[]> points, GpHyperparameters hyper) =>
        (GaussianProcess.KernelMatrix(points, points, hyper)
         + Matrix<double>.Build.DenseIdentity(points.Count) * hyper.NoiseVariance).Cholesky();

    public static SparseFactors Sparse(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, IReadOnlyList<double[]> inducing,
        GpHyperparameters hyper)
    {
        var knm = GaussianProcess.KernelMatrix(points, inducing, hyper);
        var kmm = GaussianProcess.KernelMatrix(inducing, inducing, hyper);
        var y = Vector<double>.Build.DenseOfEnumerable(targets);
        double noise = hyper.NoiseVariance;
        // Jitter, raised until the factorisation holds: inducing points closer than the length scale are nearly collinear.
        for (double jitter = 1e-8; ; jitter *= 100)
        {
            try
            {
                var jittered = kmm + Matrix<double>.Build.DenseIdentity(inducing.Count) * (jitter * hyper.SignalVariance);
                var kmmFactor = jittered.Cholesky();
                var aFactor = (jittered + knm.TransposeThisAndMultiply(knm) / noise).Cholesky();
                var b = knm.TransposeThisAndMultiply(y) / noise;
                return new SparseFactors(kmmFactor, aFactor, b, aFactor.Solve(b), y.DotProduct(y));
            }
            catch (ArgumentException) when (jitter < 1e-2) { }
        }
    }
}
