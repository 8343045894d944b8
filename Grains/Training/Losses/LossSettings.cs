namespace Study.Training.Losses;

/// <summary>Which contrastive loss (docs/LOSSES.md), its temperature τ, how many negatives the hard losses keep and where
/// negatives come from.</summary>
/// <param name="Tau">null for the losses without a temperature (<see cref="LossKinds.UsesTau"/>)</param>
/// <param name="HardFraction">α: the hard losses keep ⌈α·n⌉ of an anchor's n negatives</param>
/// <param name="FixedHardCount">K of <c>--hard-count</c>: keep exactly K instead (all n where there are fewer)</param>
public sealed record LossSettings(LossKind Kind, double? Tau, double HardFraction, NegativeSource Negatives, long? FixedHardCount = null)
{
    /// <summary>τ, for the losses that have one.</summary>
    public double Temperature => Tau ?? throw new InvalidOperationException($"the {SettingName.Of(Kind)} loss has no τ");

    /// <summary>How many of an anchor's n negatives the hard losses keep: K, or k = max(1, ⌈α·n⌉).</summary>
    public long HardCount(long negatives) => FixedHardCount is { } k
        ? Math.Clamp(k, 1, negatives)
        : Math.Clamp((long)Math.Ceiling(HardFraction * negatives - 1e-9), 1, negatives);
}
