namespace Study.Grains.Pruning;

public static class TrialPruners
{
    public static ITrialPruner Create(StudySpec spec) => spec.Pruner switch
    {
        PrunerKind.None => new NoPruner(),
        PrunerKind.Median => new MedianPruner(spec.MedianStartupTrials, spec.MedianWarmupEpochs),
        PrunerKind.Asha => new AshaPruner(spec.AshaMinEpochs, spec.AshaReductionFactor),
        _ => throw new ArgumentException($"unknown pruner '{spec.Pruner}'"),
    };
}
