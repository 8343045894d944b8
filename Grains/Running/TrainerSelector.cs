using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>The real trainer, or the synthetic one for studies that ask for it (runtime benchmarks and tests).</summary>
public sealed class TrainerSelector(ContrastiveTrialTrainer real, SyntheticTrialTrainer synthetic) : ITrialTrainer
{
    public TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control) =>
        assignment.Study.SyntheticEpochMs is null ? real.Train(assignment, device, control) : synthetic.Train(assignment, device, control);
}
