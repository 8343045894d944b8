using Study.Training.Data;
using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>The real trainer: the training core on the silo's shared copy of the dataset.</summary>
public sealed class ContrastiveTrialTrainer(DatasetCache datasets) : ITrialTrainer
{
    public TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control)
    {
        var options = TrainingOptionsMapping.For(assignment.Study, assignment.Trial) with { Device = device };
        var (train, test) = datasets.Get(options.Dataset, options.DataDir, options.SplitSeed);
        using var splits = new DataSplits(train, test, options.SplitSeed, options.Subset, options.EvalSubset, ownsImages: false);
        return new ContrastiveTrainer(options, splits).Run(control);
    }
}
