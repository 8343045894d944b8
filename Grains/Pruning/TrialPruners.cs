namespace Study.Grains.Pruning;

public static class TrialPruners
{
    public static ITrialPruner Create(PrunerKind kind) => kind switch
    {
        PrunerKind.None => new NoPruner(),
        PrunerKind.Median => new MedianPruner(),
        PrunerKind.Asha => new AshaPruner(),
        _ => throw new ArgumentException($"unknown pruner '{kind}'"),
    };
}
