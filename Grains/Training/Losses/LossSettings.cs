namespace Study.Training.Losses;

public enum LossKind { InfoNce, Hard, Simple, HardSimple }

public enum NegativeSource { Batch, MemoryBank }

/// <summary>Which contrastive loss (SPEC §5), its temperature τ, the hard fraction α and where negatives come from.</summary>
public sealed record LossSettings(LossKind Kind, double Tau, double HardFraction, NegativeSource Negatives)
{
    public static readonly IReadOnlyList<string> LossNames = ["infonce", "hard", "simple", "hard-simple"];
    public static readonly IReadOnlyList<string> NegativeNames = ["batch", "memory-bank"];

    /// <summary>The simple losses have no temperature.</summary>
    public bool UsesTau => Kind is LossKind.InfoNce or LossKind.Hard;
    public bool IsHard => Kind is LossKind.Hard or LossKind.HardSimple;

    public static LossKind ParseKind(string name) => name switch
    {
        "infonce" => LossKind.InfoNce,
        "hard" => LossKind.Hard,
        "simple" => LossKind.Simple,
        "hard-simple" => LossKind.HardSimple,
        _ => throw new ArgumentException($"unknown loss '{name}'"),
    };

    public static string Name(LossKind kind) => LossNames[(int)kind];

    public static NegativeSource ParseNegatives(string name) => name switch
    {
        "batch" => NegativeSource.Batch,
        "memory-bank" => NegativeSource.MemoryBank,
        _ => throw new ArgumentException($"unknown negatives '{name}'"),
    };

    public static string Name(NegativeSource source) => NegativeNames[(int)source];

    /// <summary>k = max(1, ⌈α·n⌉): how many of an anchor's n negatives the hard losses keep.</summary>
    public long HardCount(long negatives) =>
        Math.Clamp((long)Math.Ceiling(HardFraction * negatives - 1e-9), 1, negatives);
}
