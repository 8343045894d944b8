namespace Study.Grains.Pruning;

/// <summary>
/// Asynchronous successive halving (Li et al., as in Ray Tune's ASHA): rungs at epochs r, rη, rη², … below the
/// last epoch, for the minimum resource r (<c>--asha-min-epochs</c>) and reduction factor η (<c>--asha-reduction-factor</c>).
/// A trial reaching a rung continues only if its value is at least the (1 − 1/η) quantile of the values recorded at
/// that rung so far, itself included; otherwise it stops there. Early trials are judged against fewer.
/// </summary>
public sealed class AshaPruner(int minimumEpochs = Defaults.AshaMinEpochs, int reductionFactor = Defaults.AshaReductionFactor) : ITrialPruner
{
    public string PruneReason => $"its validation kNN accuracy was not in the top {Fraction(reductionFactor)} at that rung";

    static string Fraction(int eta) => eta switch { 2 => "half", 3 => "third", 4 => "quarter", _ => $"1/{eta}" };

    public IReadOnlyList<int> Rungs(int totalEpochs)
    {
        var rungs = new List<int>();
        for (long r = minimumEpochs; r < totalEpochs; r *= reductionFactor) rungs.Add((int)r);
        return rungs;
    }

    public bool ShouldPrune(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed)
    {
        if (!Rungs(totalEpochs).Contains(epoch)) return false;
        var recorded = history.Values.Where(h => h.ContainsKey(epoch)).Select(h => h[epoch]).Order().ToArray();
        double cutoff = Quantile(recorded, 1 - 1.0 / reductionFactor);
        return history[trialId][epoch] < cutoff;
    }

    /// <summary>Linear-interpolated quantile, as numpy's percentile.</summary>
    static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
