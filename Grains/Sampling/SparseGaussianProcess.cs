using MathNet.Numerics.LinearAlgebra;

namespace Study.Grains.Sampling;

/// <summary>
/// Gaussian-process regression on [0, 1] with a squared-exponential kernel, in the deterministic-training-
/// conditional (DTC) form over a fixed grid of inducing points. Each observation adds a rank-one term to m×m
/// sums, so observing is O(m²) and predicting is O(m³ + candidates·m²) whatever the number of observations n —
/// where an exact refit costs O(n³) every time. With inducing points much closer than the length scale the
/// approximation is close to the exact posterior.
/// </summary>
public sealed class SparseGaussianProcess
{
    readonly double[] inducing;
    readonly double lengthScale;
    readonly double noise;
    readonly Matrix<double> kmm;
    readonly Matrix<double> kmmInverse;
    Matrix<double> crossSum;      // Σ φ_i φ_iᵀ
    Vector<double> ySum;          // Σ φ_i y_i
    Vector<double> phiSum;        // Σ φ_i
    double yTotal, ySquares;

    public SparseGaussianProcess(int inducingPoints = 32, double lengthScale = 0.12, double noise = 0.02)
    {
        inducing = Enumerable.Range(0, inducingPoints).Select(i => (double)i / (inducingPoints - 1)).ToArray();
        this.lengthScale = lengthScale;
        this.noise = noise;
        kmm = Matrix<double>.Build.Dense(inducingPoints, inducingPoints, (i, j) => Kernel(inducing[i], inducing[j]));
        kmm += Matrix<double>.Build.DenseIdentity(inducingPoints) * 1e-6;
        kmmInverse = kmm.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(inducingPoints));
        crossSum = Matrix<double>.Build.Dense(inducingPoints, inducingPoints);
        ySum = Vector<double>.Build.Dense(inducingPoints);
        phiSum = Vector<double>.Build.Dense(inducingPoints);
    }

    public int Count { get; private set; }
    public double BestObserved { get; private set; } = double.NegativeInfinity;

    double Kernel(double a, double b) => Math.Exp(-0.5 * (a - b) * (a - b) / (lengthScale * lengthScale));

    public Vector<double> Features(double x) => Vector<double>.Build.Dense(inducing.Length, i => Kernel(x, inducing[i]));

    public void Observe(double x, double y)
    {
        var phi = Features(x);
        crossSum += phi.OuterProduct(phi);
        ySum += phi * y;
        phiSum += phi;
        yTotal += y;
        ySquares += y * y;
        Count++;
        BestObserved = Math.Max(BestObserved, y);
    }

    /// <summary>Posterior means and standard deviations (in the units of y) at points given by their feature rows [points, m].</summary>
    public (double[] Mean, double[] StdDev) Predict(Matrix<double> features)
    {
        double mean = Count > 0 ? yTotal / Count : 0;
        double variance = Count > 1 ? Math.Max(ySquares / Count - mean * mean, 1e-12) : 1;
        double scale = Math.Sqrt(variance);
        // Standardised targets: Σ φ_i (y_i − mean) / scale.
        var b = (ySum - phiSum * mean) / scale;
        var sigmaInverse = (kmm + crossSum / noise).Cholesky();
        var weights = sigmaInverse.Solve(b) / noise;
        // DTC variance: k(x,x) − kᵀ K_mm⁻¹ k + kᵀ Σ k, with Σ = (K_mm + AᵀA/σ²)⁻¹; as one m×m matrix Q for all points.
        var q = kmmInverse - sigmaInverse.Solve(Matrix<double>.Build.DenseIdentity(inducing.Length));
        var explained = (features * q).PointwiseMultiply(features).RowSums();
        var projected = features * weights;
        var means = new double[features.RowCount];
        var sds = new double[features.RowCount];
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = mean + scale * projected[i];
            sds[i] = scale * Math.Sqrt(Math.Max(1 - explained[i], 1e-12));
        }
        return (means, sds);
    }

    public Matrix<double> FeatureRows(IReadOnlyList<double> xs) =>
        Matrix<double>.Build.Dense(xs.Count, inducing.Length, (i, j) => Kernel(xs[i], inducing[j]));
}
