using Study.Grains.Running.Workers;
using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>The real trainer, on the slot thread or in the slot's worker process as the silo's isolation says; or the
/// synthetic one for studies that ask for it (runtime benchmarks and tests), always on the slot thread.</summary>
public sealed class TrainerSelector(ContrastiveTrialTrainer inThread, ProcessTrialTrainer inProcess, SyntheticTrialTrainer synthetic,
    RuntimeOptions options) : ITrialTrainer
{
    public TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control)
    {
        if (assignment.Study.SyntheticEpochMs is not null) return synthetic.Train(assignment, device, control);
        return options.Isolation == SlotIsolation.Process
            ? inProcess.Train(assignment, device, control)
            : inThread.Train(assignment, device, control);
    }
}
