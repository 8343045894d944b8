using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace Study.Training.Losses;

/// <summary>
/// How hard the negatives of the loss being trained are, summed over the anchors of an epoch's training steps
/// (docs/METRICS.md): each anchor's positive similarity s_ii, the mean of its <see cref="NearestCount"/> most similar
/// negatives among those its loss sees (2B − 2 batch views, or the N − 1 other bank entries), and the entropy of its
/// relative penalty r_i over the negatives its loss weighs, at the step's τ. Plain sums, so a checkpoint taken
/// mid-epoch carries them and a resumed epoch reports what an uninterrupted one would.
/// </summary>
public sealed class HardnessStatistics
{
    public const int NearestCount = 10;

    public double PositiveSum { get; set; }
    public double NearestNegativeSum { get; set; }
    public double EntropySum { get; set; }
    public long Anchors { get; set; }

    // Derived, so not part of a checkpoint (NaN before the first step).
    [JsonIgnore] public double PositiveSimilarity => Anchors > 0 ? PositiveSum / Anchors : double.NaN;
    [JsonIgnore] public double NearestNegativeSimilarity => Anchors > 0 ? NearestNegativeSum / Anchors : double.NaN;
    [JsonIgnore] public double PenaltyEntropy => Anchors > 0 ? EntropySum / Anchors : double.NaN;

    /// <summary>Adds one step's anchors (their positives, and the negatives among their candidates).</summary>
    public void Add(AnchorSimilarities anchors, LossSettings settings)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var nearest = anchors.Masked.detach().topk((int)Math.Min(NearestCount, anchors.Negatives), dim: 1).values.mean(new long[] { 1 });
        var entropy = ContrastiveLoss.PenaltyEntropy(anchors, settings);
        var sums = stack(new[] { anchors.Positive.detach().sum(), nearest.sum(), entropy.sum() }).to_type(ScalarType.Float64).cpu();
        var values = sums.data<double>().ToArray();
        PositiveSum += values[0];
        NearestNegativeSum += values[1];
        EntropySum += values[2];
        Anchors += anchors.Positive.shape[0];
    }
}
