using Study.Grains.Sampling;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

/// <summary>The adaptive search's Gaussian process: its posterior, its hyperparameters fitted by marginal likelihood,
/// the sparse form it takes on large studies, and the constant-liar fantasies of pending trials.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class GaussianProcessTests
{
    static GaussianProcess Observed(Func<double, double> f, int n, double noise = 0, int seed = 1)
    {
        var random = new Random(seed);
        var gp = new GaussianProcess(1);
        for (int i = 0; i < n; i++)
        {
            double x = (double)i / (n - 1);
            gp.Observe([x], f(x) + noise * Gaussian(random));
        }
        return gp;
    }

    static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    static double[][] Points(params double[] xs) => xs.Select(x => new[] { x }).ToArray();

    [Fact]
    public void ThePosteriorFollowsTheObservedFunctionAndIsUncertainFarFromIt()
    {
        var gp = Observed(x => Math.Sin(6 * x), 15);
        var posterior = gp.Posterior([]);
        var (mean, sd) = posterior.Predict(Points(0.1, 0.45, 0.8));
        // Standardised units: the observations of sin(6x) on [0, 1] have sd ≈ 0.7.
        var ys = Enumerable.Range(0, 15).Select(i => Math.Sin(6 * i / 14.0)).ToList();
        double m = ys.Average(), s = Math.Sqrt(ys.Sum(y => (y - m) * (y - m)) / 14);
        foreach (var (x, i) in new[] { 0.1, 0.45, 0.8 }.Select((x, i) => (x, i)))
        {
            Assert.True(Math.Abs(m + s * mean[i] - Math.Sin(6 * x)) < 0.1, $"mean at {x}: {m + s * mean[i]}");
            Assert.True(sd[i] < 0.3);
        }
        var lonely = new GaussianProcess(1);
        for (int i = 0; i < 8; i++) lonely.Observe([0.3 * i / 7], Math.Sin(6 * 0.3 * i / 7));
        var (_, far) = lonely.Posterior([]).Predict(Points(0.15, 0.95));
        Assert.True(far[1] > 3 * far[0], $"sd near the data {far[0]}, far from it {far[1]}");
    }

    [Fact]
    public void TheFittedHyperparametersMaximiseTheMarginalLikelihood()
    {
        var gp = Observed(x => Math.Sin(6 * x), 20, noise: 0.1);
        gp.Posterior([]);
        var fitted = gp.Hyperparameters;
        Assert.NotEqual(GpHyperparameters.Initial, fitted);
        var xs = Enumerable.Range(0, 20).Select(i => new[] { i / 19.0 }).ToList();
        var random = new Random(1);
        var raw = Enumerable.Range(0, 20).Select(i => Math.Sin(6 * i / 19.0) + 0.1 * Gaussian(random)).ToList();
        double mean = raw.Average(), sd = Math.Sqrt(raw.Sum(y => (y - mean) * (y - mean)) / 19);
        var ys = raw.Select(y => (y - mean) / sd).ToList();
        double best = GpMarginalLikelihood.LogLikelihood(xs, ys, null, fitted);
        Assert.True(best > GpMarginalLikelihood.LogLikelihood(xs, ys, null, GpHyperparameters.Initial));
        foreach (var factor in new[] { 0.7, 1.4 })
        {
            Assert.True(best >= GpMarginalLikelihood.LogLikelihood(xs, ys, null, fitted with { LengthScale = fitted.LengthScale * factor }) - 1e-6);
            Assert.True(best >= GpMarginalLikelihood.LogLikelihood(xs, ys, null, fitted with { SignalVariance = fitted.SignalVariance * factor }) - 1e-6);
            Assert.True(best >= GpMarginalLikelihood.LogLikelihood(xs, ys, null, fitted with { NoiseVariance = fitted.NoiseVariance * factor }) - 1e-6);
        }
    }

    [Fact]
    public void TheFitReadsTheLengthScaleAndTheNoiseFromTheData()
    {
        var smooth = Observed(x => Math.Sin(2 * x), 25);
        var wiggly = Observed(x => Math.Sin(14 * x), 25);
        smooth.Posterior([]);
        wiggly.Posterior([]);
        Assert.True(smooth.Hyperparameters.LengthScale > 2 * wiggly.Hyperparameters.LengthScale,
            $"smooth ℓ {smooth.Hyperparameters.LengthScale}, wiggly ℓ {wiggly.Hyperparameters.LengthScale}");
        var clean = Observed(x => Math.Sin(4 * x), 30);
        var noisy = Observed(x => Math.Sin(4 * x), 30, noise: 0.4);
        clean.Posterior([]);
        noisy.Posterior([]);
        Assert.True(noisy.Hyperparameters.NoiseVariance > 10 * clean.Hyperparameters.NoiseVariance,
            $"noise variance: clean {clean.Hyperparameters.NoiseVariance}, noisy {noisy.Hyperparameters.NoiseVariance}");
    }

    [Fact]
    public void TheSparseFormOfALargeStudyAgreesWithTheExactPosterior()
    {
        // Past ExactLimit distinct points the process conditions on a fixed grid of inducing points instead.
        int n = 3 * GaussianProcess.ExactLimit;
        var random = new Random(4);
        var xs = Enumerable.Range(0, n).Select(_ => new[] { random.NextDouble() }).ToList();
        var ys = xs.Select(x => Math.Sin(6 * x[0]) + 0.05 * Gaussian(random)).ToList();
        var hyper = new GpHyperparameters(0.15, 1, 0.01);
        var grid = Enumerable.Range(0, 32).Select(i => new[] { i / 31.0 }).ToList();
        var exact = GpPosterior.Exact(xs, ys, hyper, ys.Max());
        var sparse = GpPosterior.Sparse(xs, ys, grid, hyper, ys.Max());
        var probes = Points(0.05, 0.3, 0.55, 0.8, 0.95);
        var (exactMean, exactSd) = exact.Predict(probes);
        var (sparseMean, sparseSd) = sparse.Predict(probes);
        for (int i = 0; i < probes.Length; i++)
        {
            Assert.True(Math.Abs(exactMean[i] - sparseMean[i]) < 0.02, $"mean at {probes[i][0]}: exact {exactMean[i]}, sparse {sparseMean[i]}");
            Assert.True(Math.Abs(exactSd[i] - sparseSd[i]) < 0.02, $"sd at {probes[i][0]}: exact {exactSd[i]}, sparse {sparseSd[i]}");
        }
    }

    [Fact]
    public void APendingPointIsAFantasyOfTheWorstValueThatLowersTheMeanAndTheDoubtThere()
    {
        var gp = Observed(x => -Math.Pow(x - 0.5, 2), 6);
        var (before, beforeSd) = gp.Posterior([]).Predict(Points(0.5));
        var (after, afterSd) = gp.Posterior([[0.5]]).Predict(Points(0.5));
        Assert.True(after[0] < before[0] - 0.3, $"mean at the pending point: {before[0]} → {after[0]}");
        Assert.True(afterSd[0] <= beforeSd[0]);
        Assert.Equal(6, gp.Count);
    }
}
