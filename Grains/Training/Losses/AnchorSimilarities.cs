using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Losses;

/// <summary>
/// One step's anchors as the losses and the hardness statistics see them: each anchor's positive similarity [A], its
/// candidate similarities [A, M], which candidates are not its negatives (itself, its positive), and how many are. The
/// candidates with those masked out, and the hard losses' kept nearest — a top-k over up to N − 1 bank entries a row —
/// are computed once, for the loss and the statistics alike, and live in the dispose scope of the candidates.
/// </summary>
public sealed class AnchorSimilarities(Tensor positive, Tensor candidates, Tensor excluded, long negatives)
{
    Tensor? masked, hardest;

    public Tensor Positive => positive;
    public Tensor Candidates => candidates;
    public Tensor Excluded => excluded;
    public long Negatives => negatives;

    /// <summary>The candidates with every one that is not a negative at −∞.</summary>
    public Tensor Masked => masked ??= candidates.masked_fill(excluded, S(double.NegativeInfinity)).MoveToOtherDisposeScope(candidates);

    /// <summary>The similarities of each anchor's k nearest negatives [A, k], unordered (k as <paramref name="settings"/> keep).</summary>
    public Tensor Hardest(LossSettings settings) =>
        hardest ??= Masked.topk((int)settings.HardCount(negatives), dim: 1, sorted: false).values.MoveToOtherDisposeScope(candidates);
}
