namespace Study.Grains.Pruning;

/// <summary>Every trial runs all its epochs.</summary>
public sealed class NoPruner : ITrialPruner
{
    public bool ShouldPrune(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed) => false;

    public string PruneReason => "no pruner stops trials";
}
