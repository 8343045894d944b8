namespace Study.Training.Losses;

/// <summary>Which contrastive loss (SPEC §5), its temperature τ, the hard fraction α and where negatives come from.</summary>
/// <param name="Tau">null for the losses without a temperature (<see cref="LossKinds.UsesTau"/>)</param>
public sealed record LossSettings(LossKind Kind, double? Tau, double HardFraction, NegativeSource Negatives)
{
    /// <summary>τ, for the losses that have one.</summary>
    public double Temperature => Tau ?? throw new InvalidOperationException($"the {SettingName.Of(Kind)} loss has no τ");

    /// <summary>k = max(1, ⌈α·n⌉): how many of an anchor's n negatives the hard losses keep.</summary>
    public long HardCount(long negatives) =>
        Math.Clamp((long)Math.Ceiling(HardFraction * negatives - 1e-9), 1, negatives);
}
