namespace Study.Training.Losses;

/// <summary>Which contrastive loss (SPEC §5), its temperature τ, the hard fraction α and where negatives come from.</summary>
public sealed record LossSettings(LossKind Kind, double Tau, double HardFraction, NegativeSource Negatives)
{
    /// <summary>k = max(1, ⌈α·n⌉): how many of an anchor's n negatives the hard losses keep.</summary>
    public long HardCount(long negatives) =>
        Math.Clamp((long)Math.Ceiling(HardFraction * negatives - 1e-9), 1, negatives);
}
