namespace Study.Grains.Pruning;

/// <summary>Every trial runs all its epochs.</summary>
public sealed class NoPruner : ITrialPruner
{
    public EpochVerdict Decide(string trialId, int epoch, int totalEpochs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> history,
        IReadOnlySet<string> completed) => EpochVerdict.Continue;

    public string PruneReason => "no pruner stops trials";
}
