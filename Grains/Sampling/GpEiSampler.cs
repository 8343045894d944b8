using MathNet.Numerics.Distributions;

namespace Study.Grains.Sampling;

/// <summary>
/// Bayesian optimisation of the objective over log τ (or over (log τ−, log τ+) for a cosine schedule): a Gaussian
/// process whose hyperparameters are fitted by marginal likelihood (<see cref="GaussianProcess"/>), and expected
/// improvement over a fine candidate grid, with the exploration margin ξ in standard deviations of the observed
/// objective. As in BOHB (Falkner et al. 2018), the process models the most-trained level that has enough
/// observations: the objective of completed trials once there are <see cref="MinObservations"/> of them, else the
/// validation kNN accuracy at the latest epoch that many trials have reached, so that under a pruner, where most
/// trials never complete, the search is adaptive from the first epochs on. It starts from the given points, or from
/// three spread over the range. Trials still queued or running,
/// and the points already chosen for the same batch, are constant-liar fantasies (Ginsbourger et al. 2010): each is
/// taken to have scored the worst value observed and the posterior is conditioned on it before the next point is
/// chosen, so a batch spreads out and does not crowd the running trials.
/// </summary>
public sealed class GpEiSampler : ITauSampler
{
    /// <summary>ξ of expected improvement, in sds of the observed objective (targets are standardised).</summary>
    public const double Exploration = 0.01;
    /// <summary>A proposal keeps at least this far (in the unit cube) from every point tried, pending or chosen, while at
    /// most 16 are (seeds replicate a τ; a search tries new ones); beyond, 1/(4n) for n points tried, so that a long
    /// search still has room to refine near its optimum instead of running out of candidates.</summary>
    const double BatchSpacing = 1.0 / 64;
    /// <summary>Points around the grid's best at which expected improvement is evaluated too (between grid points).</summary>
    const int LocalPoints = 16;
    readonly TauSpace space;
    readonly int budget;
    readonly Queue<TauSetting> initial;
    /// <summary>The observations of each level: by epoch, and <see cref="Completed"/> for the objective of completed trials.</summary>
    readonly SortedDictionary<int, GaussianProcess> levels = [];
    const int Completed = int.MaxValue;
    readonly IReadOnlyList<double[]> candidates;
    readonly TauSetting?[] candidatePoints;
    readonly HashSet<TauSetting> proposed = [];
    /// <summary>Candidates within <see cref="spacing"/> of a point proposed: kept as points are proposed, so that a
    /// proposal does not measure every candidate against every point tried.</summary>
    readonly bool[] nearProposed;
    readonly List<double[]> proposedUnits = [];
    readonly double gridStep;
    /// <summary>The spacing <see cref="nearProposed"/> was made for; remade when <see cref="Spacing"/> has halved.</summary>
    double spacing = BatchSpacing;
    /// <summary>Where trials collapsed: the worst value at every level (<see cref="ObserveCollapse"/>).</summary>
    readonly List<double[]> collapsedPoints = [];
    readonly Random random;
    bool exhausted;

    public GpEiSampler(TauSpace space, int budget, IReadOnlyList<TauSetting> start, long seed)
    {
        this.space = space;
        this.budget = budget;
        random = new Random(unchecked((int)seed));
        var first = start.Count > 0 ? start : space.Spread();
        initial = new Queue<TauSetting>(first.Select(Rounded).Distinct());
        candidates = space.Candidates(space.Ranges ? 48 : 384);
        candidatePoints = candidates.Select(space.FromUnit).ToArray();
        nearProposed = new bool[candidates.Count];
        gridStep = 1.0 / ((space.Ranges ? 48 : 384) - 1);
    }

    /// <summary>A search over one τ.</summary>
    public GpEiSampler(double tauMin, double tauMax, int budget, IReadOnlyList<double> start, long seed)
        : this(new TauSpace(tauMin, tauMax, ranges: false), budget, [.. start.Select(t => (TauSetting)t)], seed) { }

    public int Remaining => exhausted ? 0 : Math.Max(0, budget - proposed.Count);

    public bool ProposesOnDemand => true;

    /// <summary>Observations a level needs before the process models it: two more than the dimensions searched.</summary>
    int MinObservations => space.Dimensions + 2;

    public void Observe(TauSetting tau, double objective) => Level(Completed).Observe(space.ToUnit(tau), objective);

    public void ObserveEpoch(TauSetting tau, int epoch, double value) => Level(epoch).Observe(space.ToUnit(tau), value);

    /// <summary>As the worst value observed, at every level that has seen the point and among the completed objectives.</summary>
    public void ObserveCollapse(TauSetting tau)
    {
        var x = space.ToUnit(tau);
        collapsedPoints.Add(x);
        foreach (var (level, gp) in levels) gp.ObserveCollapse(x, addIfUnseen: false);
        Level(Completed).ObserveCollapse(x, addIfUnseen: true);
    }

    GaussianProcess Level(int level)
    {
        if (levels.TryGetValue(level, out var gp)) return gp;
        gp = levels[level] = new GaussianProcess(space.Dimensions);
        foreach (var x in collapsedPoints) gp.ObserveCollapse(x, addIfUnseen: false);
        return gp;
    }

    /// <summary>The most-trained level with enough observations; while none has, the one with the most (the later on ties).</summary>
    public GaussianProcess? Model =>
        levels.Reverse().Select(l => l.Value).FirstOrDefault(gp => gp.Count >= MinObservations)
        ?? levels.Reverse().Select(l => l.Value).Where(gp => gp.Count > 0).MaxBy(gp => gp.Count);

    public void Exclude(TauSetting tau) => MarkProposed(Rounded(tau));

    double Spacing => Math.Min(BatchSpacing, 0.25 / Math.Max(1, proposed.Count));

    /// <summary>Adds the point to those proposed; false when it was already.</summary>
    bool MarkProposed(TauSetting tau)
    {
        if (!proposed.Add(tau)) return false;
        var x = space.ToUnit(tau);
        proposedUnits.Add(x);
        if (Spacing < spacing / 2)
        {
            spacing = Spacing;
            Array.Clear(nearProposed);
            foreach (var p in proposedUnits) Mask(p);
        }
        else Mask(x);
        return true;
    }

    void Mask(double[] x)
    {
        for (int i = 0; i < candidates.Count; i++)
            if (!nearProposed[i] && Distance(x, candidates[i]) < spacing) nearProposed[i] = true;
    }

    bool IsFree(double[] x) => space.FromUnit(x) is { } point && !proposed.Contains(point) && proposedUnits.All(p => Distance(p, x) >= spacing);

    public IReadOnlyList<TauSetting> Propose(int count, IReadOnlyCollection<TauSetting>? pending = null)
    {
        var proposals = new List<TauSetting>();
        while (proposals.Count < count && Remaining > 0 && initial.Count > 0)
        {
            var tau = initial.Dequeue();
            if (MarkProposed(tau)) proposals.Add(tau);
        }
        if (proposals.Count >= count || Remaining == 0) return proposals;

        var chosen = (pending ?? []).Select(space.ToUnit).Concat(proposals.Select(space.ToUnit)).ToList();
        int misses = 0;
        while (proposals.Count < count && Remaining > 0)
        {
            var x = Model is { } model ? BestCandidate(model.Posterior(chosen)) : null;
            var tau = x is null ? null : space.FromUnit(x);
            if (tau is not { } point || !MarkProposed(point))
            {
                // No candidate left near the model's choice (or none yet to model): a random point of the space.
                point = space.Draw(random) ?? default;
                if (point == default || !MarkProposed(point))
                {
                    if (++misses < TauLattice.MaxMisses) continue;
                    // Nearly every value of the range is taken: take a free one in order, or end the search.
                    if (space.Ranges || TauLattice.NextFree(space.Min, space.Max, point.Tau, proposed.Select(p => p.Tau).ToHashSet()) is not { } free)
                    {
                        exhausted = true;
                        break;
                    }
                    MarkProposed(free);
                    point = free;
                }
            }
            chosen.Add(space.ToUnit(point));
            proposals.Add(point);
            misses = 0;
        }
        return proposals;
    }

    /// <summary>The free point of highest expected improvement away from the points tried, or null when none is left:
    /// the grid's, or one of a few drawn within a grid step of the grid's best (taken or not), which is how a long search
    /// goes on refining once its optimum's grid points are taken.</summary>
    double[]? BestCandidate(GpPosterior posterior)
    {
        var (means, sds) = posterior.Predict(candidates);
        double bestScore = double.NegativeInfinity, topScore = double.NegativeInfinity;
        double[]? best = null, top = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            double score = ExpectedImprovement(means[i], sds[i], posterior.Best);
            if (score > topScore) { topScore = score; top = candidates[i]; }
            if (candidatePoints[i] is not { } point || nearProposed[i] || proposed.Contains(point)) continue;
            if (score > bestScore) { bestScore = score; best = candidates[i]; }
        }
        if (top is null) return best;
        var local = Enumerable.Range(0, LocalPoints).Select(_ => Near(top)).ToList();
        var (localMeans, localSds) = posterior.Predict(local);
        for (int k = 0; k < local.Count; k++)
        {
            double score = ExpectedImprovement(localMeans[k], localSds[k], posterior.Best);
            if (score > bestScore && IsFree(local[k])) { bestScore = score; best = local[k]; }
        }
        return best;
    }

    /// <summary>A point within a grid step of <paramref name="x"/> in each coordinate, in the unit cube (a range's ends in order).</summary>
    double[] Near(double[] x)
    {
        var y = x.Select(c => Math.Clamp(c + (2 * random.NextDouble() - 1) * gridStep, 0, 1)).ToArray();
        if (y.Length == 2 && y[0] > y[1]) (y[0], y[1]) = (y[1], y[0]);
        return y;
    }

    public static double ExpectedImprovement(double mean, double sd, double best)
    {
        double improvement = mean - best - Exploration;
        double z = improvement / sd;
        return improvement * Normal.CDF(0, 1, z) + sd * Normal.PDF(0, 1, z);
    }

    static double Distance(double[] a, double[] b)
    {
        double d2 = 0;
        for (int i = 0; i < a.Length; i++) d2 += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(d2);
    }

    static TauSetting Rounded(TauSetting t) => new(TauLattice.Round(t.Tau), t.TauMax is { } high ? TauLattice.Round(high) : null);
}
