namespace Study.Grains.Pruning;

/// <summary>
/// Whether a running trial should stop early (the scheduler, in Ray Tune's terms), judged on the per-epoch
/// validation kNN accuracy of every trial of the study (higher is better).
/// </summary>
public interface ITrialPruner
{
    /// <param name="history">each trial's values by epoch, including this report's</param>
    bool ShouldPrune(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history);
}

public static class TrialPruners
{
    public static readonly IReadOnlyList<string> Names = ["none", "median", "asha"];

    public static ITrialPruner Create(string name) => name switch
    {
        "none" => new NoPruner(),
        "median" => new MedianPruner(),
        "asha" => new AshaPruner(),
        _ => throw new ArgumentException($"unknown pruner '{name}'"),
    };
}

public sealed class NoPruner : ITrialPruner
{
    public bool ShouldPrune(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history) => false;
}
