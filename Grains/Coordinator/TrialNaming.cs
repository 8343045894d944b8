using System.Globalization;

namespace Study.Grains.Coordinator;

/// <summary>Readable, unique-within-a-study names: <c>t003-tau0.2-s1</c>, or <c>t003-simple-s1</c> for losses without τ.</summary>
public static class TrialNaming
{
    public static string TrialId(int index, double? tau, long seed, LossKind loss) =>
        tau is { } t && loss is LossKind.InfoNce or LossKind.Hard
            ? $"t{index:000}-tau{t.ToString("0.#####", CultureInfo.InvariantCulture)}-s{seed}"
            : $"t{index:000}-{SettingName.Of(loss)}-s{seed}";

    public static string NewStudyId(string prefix) =>
        $"{prefix}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";
}
