using Study.Training.Losses;
using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>A trial's training options: the study's, with the trial's τ (or τ range) and seed.</summary>
public static class TrainingOptionsMapping
{
    public static TrainingOptions For(StudySpec study, TrialSpec trial) => new()
    {
        Dataset = study.Dataset,
        DataDir = study.DataDir,
        Tau = trial.Tau,
        TauMax = trial.TauMax,
        TauSchedule = study.TauSchedule,
        TauPeriod = study.TauPeriod,
        Loss = study.Loss,
        HardFraction = study.HardFraction,
        HardCount = study.HardCount,
        Negatives = study.Negatives,
        Encoder = study.Encoder,
        ProjectionHead = study.ProjectionHead,
        Epochs = study.Epochs,
        BatchSize = study.BatchSize,
        LearningRate = study.Lr,
        Optimizer = study.Optimizer,
        Momentum = study.Momentum,
        WeightDecay = study.WeightDecay,
        Schedule = study.Schedule,
        Seed = trial.Seed,
        SplitSeed = study.SplitSeed ?? study.Seed,
        Subset = study.Subset,
        EvalSubset = study.EvalSubset,
        Device = study.Device,
        Precision = study.Precision,
        Collapse = study.CollapseCheck ? new CollapseRule(study.CollapseUniformity, study.CollapseTolerance) : null,
    };
}
