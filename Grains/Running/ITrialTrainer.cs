using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>What a slot thread runs for a trial: synchronously, on that thread, steered by <paramref name="control"/>.</summary>
public interface ITrialTrainer
{
    TrainingOutcome Train(TrialAssignment assignment, TrainingControl control);
}
