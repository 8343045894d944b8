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
    /// <summary>A proposal keeps at least this far (in the unit cube) from every point tried, pending or chosen: seeds
    /// replicate a τ; a search tries new ones.</summary>
    const double BatchSpacing = 1.0 / 64;
    readonly TauSpace space;
    readonly int budget;
    readonly Queue<TauSetting> initial;
    /// <summary>The observations of each level: by epoch, and <see cref="Completed"/> for the objective of completed trials.</summary>
    readonly SortedDictionary<int, GaussianProcess> levels = [];
    const int Completed = int.MaxValue;
    readonly IReadOnlyList<double[]> candidates;
    readonly TauSetting?[] candidatePoints;
    readonly HashSet<TauSetting> proposed = [];
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

    public void Exclude(TauSetting tau) => proposed.Add(Rounded(tau));

    public IReadOnlyList<TauSetting> Propose(int count, IReadOnlyCollection<TauSetting>? pending = null)
    {
        var proposals = new List<TauSetting>();
        while (proposals.Count < count && Remaining > 0 && initial.Count > 0)
        {
            var tau = initial.Dequeue();
            if (proposed.Add(tau)) proposals.Add(tau);
        }
        if (proposals.Count >= count || Remaining == 0) return proposals;

        var chosen = (pending ?? []).Select(space.ToUnit).Concat(proposals.Select(space.ToUnit)).ToList();
        var tried = proposed.Select(space.ToUnit).ToList();
        int misses = 0;
        while (proposals.Count < count && Remaining > 0)
        {
            var x = Model is { } model ? BestCandidate(model.Posterior(chosen), tried) : null;
            var tau = x is null ? null : space.FromUnit(x);
            if (tau is not { } point || !proposed.Add(point))
            {
                // No candidate left near the model's choice (or none yet to model): a random point of the space.
                point = space.Draw(random) ?? default;
                if (point == default || !proposed.Add(point))
                {
                    if (++misses < TauLattice.MaxMisses) continue;
                    // Nearly every value of the range is taken: take a free one in order, or end the search.
                    if (space.Ranges || TauLattice.NextFree(space.Min, space.Max, point.Tau, proposed.Select(p => p.Tau).ToHashSet()) is not { } free)
                    {
                        exhausted = true;
                        break;
                    }
                    proposed.Add(free);
                    point = free;
                }
            }
            chosen.Add(space.ToUnit(point));
            tried.Add(space.ToUnit(point));
            proposals.Add(point);
            misses = 0;
        }
        return proposals;
    }

    /// <summary>The free candidate of highest expected improvement away from the points tried, or null when none is left.</summary>
    double[]? BestCandidate(GpPosterior posterior, List<double[]> tried)
    {
        var (means, sds) = posterior.Predict(candidates);
        double bestScore = double.NegativeInfinity;
        double[]? best = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            if (candidatePoints[i] is not { } point || proposed.Contains(point) || tried.Any(c => Distance(c, candidates[i]) < BatchSpacing)) continue;
            double score = ExpectedImprovement(means[i], sds[i], posterior.Best);
            if (score > bestScore) { bestScore = score; best = candidates[i]; }
        }
        return best;
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
