using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>What a slot thread runs for a trial: synchronously, on that thread, steered by <paramref name="control"/>.</summary>
public interface ITrialTrainer
{
    /// <param name="device">the torch device the trial trains on (the study's choice resolved against the slot's)</param>
    TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control);
}
