using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Losses;

/// <summary>
/// The four losses of docs/LOSSES.md on similarities of L2-normalised projections. Every anchor (each view of each image
/// with batch negatives; the one view of each image with a memory bank) has its positive similarity s_ii and a row
/// of candidate similarities; <c>excluded</c> marks the candidates that are not negatives of that anchor (itself and
/// its positive).
/// </summary>
public static class ContrastiveLoss
{
    /// <summary>The mean loss over the anchors of both views, negatives from the batch (2B − 2 per anchor).</summary>
    /// <param name="hardness">when given, gets the step's anchors (what the per-epoch hardness statistics describe)</param>
    public static Tensor Batch(Tensor z1, Tensor z2, LossSettings settings, HardnessStatistics? hardness = null)
    {
        using var scope = NewDisposeScope();
        long b = z1.shape[0];
        var z = cat(new[] { z1, z2 }, 0);
        var similarities = z.mm(z.t());
        var pairs = PairIndex(b, z.device);
        var anchors = new AnchorSimilarities(similarities.gather(1, pairs.unsqueeze(1)).squeeze(1), similarities, BatchExclusions(b, z.device), 2 * b - 2);
        // The softmax over a row without its diagonal is exactly infonce's denominator: positive plus negatives.
        var loss = settings.Kind == LossKind.InfoNce
            ? F.cross_entropy(similarities.masked_fill(eye(2 * b, dtype: ScalarType.Bool, device: z.device), S(double.NegativeInfinity)).div(S(settings.Temperature)), pairs)
            : PerAnchor(anchors, settings).mean();
        hardness?.Add(anchors, settings);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mean loss over the batch images with memory-bank negatives, as InstDisc defines them (docs/LOSSES.md,
    /// docs/METRICS.md): each image's one view z_i is the anchor, its own bank entry v_i its positive, and the N − 1
    /// other entries its negatives; no batch view is a negative, and no gradient reaches the bank.
    /// </summary>
    /// <param name="z">the images' normalised projections [B, D]</param>
    /// <param name="bank">the bank's vectors [N, D]</param>
    /// <param name="rows">each batch image's row in the bank [B]</param>
    public static Tensor Bank(Tensor z, Tensor bank, Tensor rows, LossSettings settings, HardnessStatistics? hardness = null)
    {
        using var scope = NewDisposeScope();
        var candidates = z.mm(bank.detach().t().to(z.dtype));
        var positive = candidates.gather(1, rows.unsqueeze(1)).squeeze(1);
        var own = zeros_like(candidates, dtype: ScalarType.Bool)
            .scatter_(1, rows.unsqueeze(1), ones(z.shape[0], 1, dtype: ScalarType.Bool, device: z.device));
        var anchors = new AnchorSimilarities(positive, candidates, own, bank.shape[0] - 1);
        // Infonce's denominator is the positive plus every other entry: the softmax over the whole row, at the image's own.
        var loss = settings.Kind == LossKind.InfoNce
            ? F.cross_entropy(candidates.div(S(settings.Temperature)), rows)
            : PerAnchor(anchors, settings).mean();
        hardness?.Add(anchors, settings);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Per-anchor losses [A] of a step's anchors.</summary>
    public static Tensor PerAnchor(AnchorSimilarities a, LossSettings settings)
    {
        using var scope = NewDisposeScope();
        Tensor loss = settings.Kind switch
        {
            LossKind.InfoNce => LogSumExpWithPositive(a.Positive, a.Masked, settings.Temperature) - a.Positive.div(S(settings.Temperature)),
            LossKind.Hard => LogSumExpWithPositive(a.Positive, a.Hardest(settings), settings.Temperature) - a.Positive.div(S(settings.Temperature)),
            LossKind.Simple => (-a.Positive).add(a.Candidates.masked_fill(a.Excluded, S(0)).sum(1).div(S(a.Negatives)), One),
            LossKind.HardSimple => (-a.Positive).add(a.Hardest(settings).mean(new long[] { 1 }), One),
            _ => throw new ArgumentOutOfRangeException(nameof(settings)),
        };
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Entropy [A] of each anchor's relative penalty over the negatives its loss weighs: the Boltzmann distribution
    /// r_i(s_ij) = exp(s_ij/τ) / Σ_k exp(s_ik/τ) (over the kept k for the hard loss); uniform for the simple losses.
    /// </summary>
    public static Tensor PenaltyEntropy(AnchorSimilarities a, LossSettings settings)
    {
        using var scope = NewDisposeScope();
        long rows = a.Candidates.shape[0];
        Tensor entropy = settings.Kind switch
        {
            LossKind.InfoNce => Entropy(a.Masked.detach().div(S(settings.Temperature))),
            LossKind.Hard => Entropy(a.Hardest(settings).detach().div(S(settings.Temperature))),
            LossKind.Simple => full(rows, S(Math.Log(a.Negatives)), device: a.Candidates.device),
            LossKind.HardSimple => full(rows, S(Math.Log(settings.HardCount(a.Negatives))), device: a.Candidates.device),
            _ => throw new ArgumentOutOfRangeException(nameof(settings)),
        };
        return entropy.MoveToOuterDisposeScope();
    }

    /// <summary>For anchor a of 2B (views stacked), the row of its positive: a + B mod 2B.</summary>
    public static Tensor PairIndex(long b, Device device) =>
        arange(S(0), S(2 * b), S(1), dtype: ScalarType.Int64, device: device).add_(S(b), One).remainder_(S(2 * b));

    /// <summary>[2B, 2B]: true on each anchor itself and its positive.</summary>
    public static Tensor BatchExclusions(long b, Device device)
    {
        using var scope = NewDisposeScope();
        var excluded = eye(2 * b, dtype: ScalarType.Bool, device: device);
        excluded.scatter_(1, PairIndex(b, device).unsqueeze(1), ones(2 * b, 1, dtype: ScalarType.Bool, device: device));
        return excluded.MoveToOuterDisposeScope();
    }

    static Tensor LogSumExpWithPositive(Tensor positive, Tensor negatives, double tau) =>
        cat(new[] { positive.unsqueeze(1), negatives }, 1).div(S(tau)).logsumexp(1);

    static Tensor Entropy(Tensor logits)
    {
        var logP = logits.log_softmax(1);
        return -(logP.exp() * logP.nan_to_num(0, 0, 0)).sum(1);
    }
}
