using Study.Grains;

namespace Study.Client.Reporting;

/// <summary>One completed trial's figure: its τ (or τ range), its seed, and the value.</summary>
public readonly record struct SeedValue(TauSetting Setting, long Seed, double Value);

/// <summary>Another τ against the best: the paired t-test of best − other over the seeds both have, and its p-value
/// after Holm's correction over all the others (null where fewer than two seeds are shared).</summary>
public sealed record VersusBest(TauSetting Setting, int Pairs, double? MeanDifference, double? T, double? P, double? PHolm)
{
    public bool Significant => PHolm is < Significance.Level;
}

/// <summary>
/// Which τ is best by an objective, and how sure that is: the τ with the highest mean over its seeds, tested against
/// every other τ on the seeds they share (the same seed is the same data order and initialisation, so pairing
/// removes what the seed alone explains), with Holm's correction because several τ are tested at once.
/// </summary>
public sealed record BestTauContrast(TauSetting Best, SeedSummary BestSummary, IReadOnlyList<VersusBest> Others)
{
    /// <summary>Whether the best is ahead of every other τ, each difference significant after Holm.</summary>
    public bool Decided => Others.Count > 0 && Others.All(o => o.Significant);

    public static BestTauContrast? Of(IEnumerable<SeedValue> values)
    {
        var bySetting = values.Where(v => double.IsFinite(v.Value)).GroupBy(v => v.Setting)
            .ToDictionary(g => g.Key, g => g.GroupBy(v => v.Seed).ToDictionary(s => s.Key, s => s.First().Value));
        if (bySetting.Count == 0) return null;
        var best = bySetting.OrderByDescending(s => s.Value.Values.Average()).ThenBy(s => s.Key.Mean).First();
        var tests = bySetting.Where(s => s.Key != best.Key).OrderBy(s => s.Key.Mean).ThenBy(s => s.Key.Low)
            .Select(other => (other.Key, Shared: best.Value.Keys.Intersect(other.Value.Keys).Order().ToList(), Other: other.Value))
            .Select(x => (x.Key, x.Shared.Count, Test: Significance.PairedT([.. x.Shared.Select(seed => (best.Value[seed], x.Other[seed]))])))
            .ToList();
        var tested = tests.Where(t => t.Test is not null).ToList();
        var holm = Significance.Holm([.. tested.Select(t => t.Test!.P)]);
        var adjusted = tested.Select((t, i) => (t.Key, P: holm[i])).ToDictionary(x => x.Key, x => x.P);
        var others = tests.Select(t => new VersusBest(t.Key, t.Count, t.Test?.MeanDifference, t.Test?.T, t.Test?.P,
            adjusted.TryGetValue(t.Key, out var p) ? p : null)).ToList();
        return new BestTauContrast(best.Key, SeedSummary.Of(best.Value.Values.Select(v => (double?)v))!, others);
    }
}
