namespace Study.Grains.Pruning;

/// <summary>
/// Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020),
/// with its rungs at epochs r, rη, rη², … below the last epoch, for the minimum resource r (<c>--asha-min-epochs</c>)
/// and reduction factor η (<c>--asha-reduction-factor</c>). Every trial stops at each rung it reaches, paused at that
/// epoch's checkpoint, and goes on only when it is promoted: when it ranks in the top ⌊n/η⌋ of the n trials that have
/// reached that rung so far (at once, if it does on arrival). So the first trials at a rung wait for peers to be
/// judged against, instead of running on unopposed, and the study's budget goes to the trials that earn it.
/// Promotions go out highest rung first (as ASHA's get_job looks from the top rung down), so a slot that frees goes to
/// the trial nearest its end. When nothing else is left and fewer than η trials have completed, the best paused trials
/// (highest rung first, then by their value there) go on to the end until η have; the trials still paused when the
/// study ends are pruned there.
/// </summary>
public sealed class AshaPruner(int minimumEpochs = Defaults.AshaMinEpochs, int reductionFactor = Defaults.AshaReductionFactor) : ITrialPruner
{
    public string PruneReason => $"its validation kNN accuracy at its last rung was not in the top 1/{reductionFactor} of the trials that reached it";

    public IReadOnlyList<int> Rungs(int totalEpochs)
    {
        var rungs = new List<int>();
        for (long r = minimumEpochs; r < totalEpochs; r *= reductionFactor) rungs.Add((int)r);
        return rungs;
    }

    public EpochVerdict Decide(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed)
    {
        if (!Rungs(totalEpochs).Contains(epoch)) return EpochVerdict.Continue;
        return Promotable(trialId, epoch, history) ? EpochVerdict.Continue : EpochVerdict.Pause;
    }

    public int Finalists => reductionFactor;

    public IReadOnlyList<string> Promotions(IReadOnlyDictionary<string, int> paused, int totalEpochs,
        IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history, int finishing)
    {
        var ranked = paused.OrderByDescending(p => p.Value).ThenByDescending(p => ValueAt(history, p.Key, p.Value))
            .ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var promoted = ranked.Where(p => Promotable(p.Key, p.Value, history)).Select(p => p.Key).ToList();
        if (promoted.Count > 0 || finishing <= 0) return promoted;
        return [.. ranked.Take(finishing).Select(p => p.Key)];
    }

    /// <summary>In the top ⌊n/η⌋ of the n trials that reached the rung (ties broken by trial id, for determinism).</summary>
    bool Promotable(string trialId, int rung, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history)
    {
        var ranked = history.Where(h => h.Value.ContainsKey(rung))
            .OrderByDescending(h => h.Value[rung]).ThenBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key).ToList();
        int top = ranked.Count / reductionFactor;
        return ranked.Take(top).Contains(trialId);
    }

    static double ValueAt(IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history, string trialId, int epoch) =>
        history.TryGetValue(trialId, out var values) && values.TryGetValue(epoch, out var v) ? v : double.NegativeInfinity;
}
