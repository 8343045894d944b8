namespace Study.Grains.Coordinator;

/// <summary>Readable, unique-within-a-study names: <c>t003-tau0.2-s1</c>; <c>t003-cos0.1to1-s1</c> for a cosine schedule
/// from τ− = 0.1 to τ+ = 1; <c>t003-simple-s1</c> for losses without τ.</summary>
public static class TrialNaming
{
    public static string TrialId(int index, TauSetting? tau, long seed, LossKind loss) => (tau, loss.UsesTau()) switch
    {
        ({ IsRange: true } t, true) => $"t{index:000}-cos{Numbers.Setting(t.Low)}to{Numbers.Setting(t.High)}-s{seed}",
        ({ } t, true) => $"t{index:000}-tau{Numbers.Setting(t.Tau)}-s{seed}",
        _ => $"t{index:000}-{SettingName.Of(loss)}-s{seed}",
    };

    /// <summary>32 random bits after the second: two clients starting studies in the same second do not meet (and the
    /// study grain refuses a second spec under a taken id).</summary>
    public static string NewStudyId(string prefix) =>
        $"{prefix}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{System.Security.Cryptography.RandomNumberGenerator.GetHexString(8, lowercase: true)}";
}
