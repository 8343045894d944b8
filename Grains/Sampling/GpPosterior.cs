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
    readonly InducingKernels? kernels;

    GpPosterior(IReadOnlyList<double[]> basis, GpHyperparameters hyper, Vector<double> alpha, Matrix<double> varianceForm, double best,
        InducingKernels? kernels = null)
    {
        this.basis = basis;
        this.kernels = kernels;
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
        GpHyperparameters hyper, double best) => Sparse(SparseSums.Of(points, targets, inducing, hyper), inducing, hyper, best);

    /// <param name="kernels">where the kernel between a point set and the inducing points is kept for these
    /// hyperparameters (the same candidates are predicted at by every proposal)</param>
    public static GpPosterior Sparse(SparseSums sums, IReadOnlyList<double[]> inducing, GpHyperparameters hyper, double best,
        InducingKernels? kernels = null)
    {
        var f = GpFactors.Sparse(sums, inducing, hyper);
        var identity = Matrix<double>.Build.DenseIdentity(inducing.Count);
        return new GpPosterior(inducing, hyper, f.Alpha, f.Kmm.Solve(identity) - f.A.Solve(identity), best, kernels);
    }

    public (double[] Mean, double[] Sd) Predict(IReadOnlyList<double[]> at)
    {
        var k = kernels?.Of(at, basis, hyper) ?? GaussianProcess.KernelMatrix(at, basis, hyper);
        // Plain loops over row-major copies: the quadratic form kᵢᵀ Q kᵢ of every point, a few hundred thousand
        // multiply-adds, is several times faster so than through the library's general matrix product.
        int n = at.Count, b = basis.Count;
        var rows = k.ToRowMajorArray();
        var q = varianceForm.ToRowMajorArray();
        var a = alpha.ToArray();
        var means = new double[n];
        var sds = new double[n];
        var qk = new double[b];
        for (int i = 0; i < n; i++)
        {
            int offset = i * b;
            double mean = 0, explained = 0;
            for (int j = 0; j < b; j++) mean += rows[offset + j] * a[j];
            for (int j = 0; j < b; j++)
            {
                double sum = 0;
                int qRow = j * b;
                for (int l = 0; l < b; l++) sum += q[qRow + l] * rows[offset + l];
                qk[j] = sum;
            }
            for (int j = 0; j < b; j++) explained += rows[offset + j] * qk[j];
            means[i] = mean;
            sds[i] = Math.Sqrt(Math.Max(hyper.SignalVariance - explained, 1e-12 * hyper.SignalVariance));
        }
        return (means, sds);
    }
}

/// <summary>Kernel matrices between a point set (by reference) and the inducing points, for one set of hyperparameters.</summary>
public sealed class InducingKernels
{
    GpHyperparameters? hyper;
    readonly Dictionary<IReadOnlyList<double[]>, Matrix<double>> byPoints = new(ReferenceEqualityComparer.Instance);

    public Matrix<double> Of(IReadOnlyList<double[]> at, IReadOnlyList<double[]> inducing, GpHyperparameters h)
    {
        if (hyper != h) { byPoints.Clear(); hyper = h; }
        if (!byPoints.TryGetValue(at, out var k)) byPoints[at] = k = GaussianProcess.KernelMatrix(at, inducing, h);
        return k;
    }
}

/// <summary>The DTC form's factorisations: K_mm and A = K_mm + K_mn K_nm/σ² (Cholesky both), b = K_mn y/σ², α = A⁻¹b.</summary>
sealed record SparseFactors(Cholesky<double> Kmm, Cholesky<double> A, Vector<double> B, Vector<double> Alpha, double YSquares);

/// <summary>
/// What the DTC form needs of the observations, as sums over them: K_mn K_nm, K_mn y and yᵀy. Sums, so that points can
/// be added one at a time (a proposal's pending fantasies) to sums kept for the observations, without going over all
/// n of them again.
/// </summary>
public sealed record SparseSums(Matrix<double> KmnKnm, Vector<double> KmnY, double YSquares)
{
    public static SparseSums Of(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, IReadOnlyList<double[]> inducing, GpHyperparameters hyper)
    {
        var knm = GaussianProcess.KernelMatrix(points, inducing, hyper);
        var y = Vector<double>.Build.DenseOfEnumerable(targets);
        return new SparseSums(knm.TransposeThisAndMultiply(knm), knm.TransposeThisAndMultiply(y), y.DotProduct(y));
    }

    /// <summary>These sums with <paramref name="points"/> added, each observed as <paramref name="target"/>.</summary>
    public SparseSums With(IReadOnlyList<double[]> points, double target, IReadOnlyList<double[]> inducing, GpHyperparameters hyper)
    {
        if (points.Count == 0) return this;
        var kpm = GaussianProcess.KernelMatrix(points, inducing, hyper);
        var column = kpm.ColumnSums();
        return new SparseSums(KmnKnm + kpm.TransposeThisAndMultiply(kpm), KmnY + column * target, YSquares + points.Count * target * target);
    }
}

/// <summary>The Cholesky factorisations both posteriors and the marginal likelihood are computed from.</summary>
static class GpFactors
{
    /// <summary>K + σ²I of the observed points (the noise keeps it well conditioned).</summary>
    public static Cholesky<double> Exact(IReadOnlyList<double[]> points, GpHyperparameters hyper) =>
        (GaussianProcess.KernelMatrix(points, points, hyper)
         + Matrix<double>.Build.DenseIdentity(points.Count) * hyper.NoiseVariance).Cholesky();

    public static SparseFactors Sparse(IReadOnlyList<double[]> points, IReadOnlyList<double> targets, IReadOnlyList<double[]> inducing,
        GpHyperparameters hyper) => Sparse(SparseSums.Of(points, targets, inducing, hyper), inducing, hyper);

    public static SparseFactors Sparse(SparseSums sums, IReadOnlyList<double[]> inducing, GpHyperparameters hyper)
    {
        var kmm = GaussianProcess.KernelMatrix(inducing, inducing, hyper);
        double noise = hyper.NoiseVariance;
        // Jitter, raised until the factorisation holds: inducing points closer than the length scale are nearly collinear.
        for (double jitter = 1e-8; ; jitter *= 100)
        {
            try
            {
                var jittered = kmm + Matrix<double>.Build.DenseIdentity(inducing.Count) * (jitter * hyper.SignalVariance);
                var kmmFactor = jittered.Cholesky();
                var aFactor = (jittered + sums.KmnKnm / noise).Cholesky();
                var b = sums.KmnY / noise;
                return new SparseFactors(kmmFactor, aFactor, b, aFactor.Solve(b), sums.YSquares);
            }
            catch (ArgumentException) when (jitter < 1e-2) { }
        }
    }
}
