using MathNet.Numerics.LinearAlgebra;

namespace Study.Grains.Sampling;

/// <summary>A squared-exponential kernel's hyperparameters, for targets standardised to mean 0 and sd 1.</summary>
/// <param name="LengthScale">in the unit cube of log τ</param>
/// <param name="SignalVariance">the kernel's variance s²</param>
/// <param name="NoiseVariance">the observations' noise σ² (seed-to-seed spread of the objective)</param>
public sealed record GpHyperparameters(double LengthScale, double SignalVariance, double NoiseVariance)
{
    public static readonly GpHyperparameters Initial = new(0.2, 1, 0.1);
}

/// <summary>
/// Gaussian-process regression of the objective on the unit cube of log τ (one or two dimensions), with its
/// hyperparameters fitted by marginal likelihood (<see cref="GpMarginalLikelihood"/>). Targets are standardised by
/// the observations' mean and sd, so the fit and the sampler's exploration are the same whatever the objective's
/// units. The posterior is exact while there are at most <see cref="ExactLimit"/> points (observed and pending);
/// beyond, it takes the deterministic-training-conditional (DTC) form over a fixed grid of m inducing points, so that
/// a study of thousands of trials costs O(n·m²) a proposal, not O(n³).
/// </summary>
public sealed class GaussianProcess(int dimensions)
{
    public const int ExactLimit = 64;
    /// <summary>Observations the hyperparameters are fitted on at most (evenly spread over the study's history): the exact
    /// likelihood's size, so that a refit costs milliseconds whatever the study's size. Three hyperparameters of a
    /// one- or two-dimensional function are well determined by 64 points.</summary>
    const int FitLimit = ExactLimit;
    /// <summary>Below this many observations the marginal likelihood says little (three points fit a needle as well as a
    /// plane): the hyperparameters stay at <see cref="GpHyperparameters.Initial"/>.</summary>
    public const int FitMinimum = 5;
    /// <summary>From a fit on this many observations on, a refit starts from the last fit only (it moves little as the
    /// study grows), not also from the default start.</summary>
    const int WarmFrom = 16;

    readonly List<double[]> xs = [];
    readonly List<double> ys = [];
    /// <summary>Points where a trial collapsed: every observation there counts as the worst value observed elsewhere.</summary>
    readonly List<double[]> collapsed = [];
    readonly IReadOnlyList<double[]> grid = InducingGrid(dimensions);
    int fittedCount;
    /// <summary>The observations' DTC sums and standardised targets, for the observations and hyperparameters they were
    /// made from: every proposal of a batch reuses them, adding only its pending points.</summary>
    (int Count, int Collapsed, GpHyperparameters Hyper, List<double> Targets, SparseSums? Sums)? cache;
    readonly InducingKernels kernels = new();

    public int Count => ys.Count;
    public GpHyperparameters Hyperparameters { get; private set; } = GpHyperparameters.Initial;

    public void Observe(double[] x, double y)
    {
        if (x.Length != dimensions) throw new ArgumentException($"a point of {x.Length} coordinates for a {dimensions}-dimensional process");
        xs.Add(x);
        ys.Add(y);
    }

    /// <summary>A trial at <paramref name="x"/> collapsed: its observations there, and later ones, count as the worst value
    /// observed elsewhere; with <paramref name="addIfUnseen"/> one such observation is added where there is none.</summary>
    public void ObserveCollapse(double[] x, bool addIfUnseen)
    {
        if (!IsCollapsed(x)) collapsed.Add(x);
        if (!addIfUnseen || xs.Any(p => p.SequenceEqual(x))) return;
        xs.Add(x);
        ys.Add(double.NaN);
    }

    bool IsCollapsed(double[] x) => collapsed.Count > 0 && collapsed.Any(c => c.SequenceEqual(x));

    /// <summary>The posterior given the observations and, as constant-liar fantasies, <paramref name="pending"/> points
    /// whose objective is not known yet: each is taken to have scored the worst value observed, so proposals move
    /// away from running trials without the process forgetting what it knows. Refits the hyperparameters first when
    /// enough has been observed since the last fit.</summary>
    public GpPosterior Posterior(IReadOnlyList<double[]> pending)
    {
        if (Count == 0) throw new InvalidOperationException("no observations");
        RefitIfDue();
        if (cache is not { } c || c.Count != Count || c.Collapsed != collapsed.Count || c.Hyper != Hyperparameters)
            cache = c = (Count, collapsed.Count, Hyperparameters, Targets(), null);
        var observed = c.Targets;
        double lie = observed.Min(), best = observed.Max();
        if (Count + pending.Count <= ExactLimit)
            return GpPosterior.Exact([.. xs, .. pending], [.. observed, .. pending.Select(_ => lie)], Hyperparameters, best);
        var sums = c.Sums ?? SparseSums.Of(xs, observed, grid, Hyperparameters);
        cache = c with { Sums = sums };
        return GpPosterior.Sparse(sums.With(pending, lie, grid, Hyperparameters), grid, Hyperparameters, best, kernels);
    }

    /// <summary>The observations standardised by the mean and sd of those not at a collapsed point (sd 1 while they
    /// cannot say: fewer than two, or all equal); those at a collapsed point take the lowest of the others (0 if none).</summary>
    List<double> Targets()
    {
        var healthy = Enumerable.Range(0, Count).Where(i => !IsCollapsed(xs[i])).Select(i => ys[i]).ToList();
        double mean = healthy.Count > 0 ? healthy.Average() : 0;
        double variance = healthy.Count > 1 ? healthy.Sum(y => (y - mean) * (y - mean)) / (healthy.Count - 1) : 0;
        double sd = variance > 1e-18 ? Math.Sqrt(variance) : 1;
        double worst = healthy.Count > 0 ? (healthy.Min() - mean) / sd : 0;
        return [.. Enumerable.Range(0, Count).Select(i => IsCollapsed(xs[i]) ? worst : (ys[i] - mean) / sd)];
    }

    /// <summary>Early on every new observation refits; later, each time the study has grown by a quarter.</summary>
    void RefitIfDue()
    {
        if (Count < FitMinimum || Count == fittedCount || (fittedCount > 32 && Count < fittedCount * 1.25)) return;
        var targets = Targets();
        var chosen = Enumerable.Range(0, Math.Min(Count, FitLimit)).Select(i => (int)((long)i * Count / Math.Min(Count, FitLimit))).ToList();
        var x = chosen.Select(i => xs[i]).ToList();
        var y = chosen.Select(i => targets[i]).ToList();
        Hyperparameters = GpMarginalLikelihood.Fit(x, y, x.Count <= ExactLimit ? null : grid, Hyperparameters, warm: fittedCount >= WarmFrom);
        fittedCount = Count;
    }

    /// <summary>32 points on the line; on the square, a 12 × 12 grid's points with u₁ ≤ u₂ (the ranges' half).</summary>
    static IReadOnlyList<double[]> InducingGrid(int dimensions)
    {
        int perAxis = dimensions == 1 ? 32 : 12;
        var axis = Enumerable.Range(0, perAxis).Select(i => (double)i / (perAxis - 1)).ToArray();
        return dimensions == 1
            ? axis.Select(a => new[] { a }).ToList()
            : (from a in axis from b in axis where a <= b select new[] { a, b }).ToList();
    }

    public static double Kernel(double[] a, double[] b, GpHyperparameters h)
    {
        double d2 = 0;
        for (int i = 0; i < a.Length; i++) d2 += (a[i] - b[i]) * (a[i] - b[i]);
        return h.SignalVariance * Math.Exp(-0.5 * d2 / (h.LengthScale * h.LengthScale));
    }

    public static Matrix<double> KernelMatrix(IReadOnlyList<double[]> rows, IReadOnlyList<double[]> columns, GpHyperparameters h) =>
        Matrix<double>.Build.Dense(rows.Count, columns.Count, (i, j) => Kernel(rows[i], columns[j], h));
}
