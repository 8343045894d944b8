using System.Diagnostics;
using Study.Training.Evaluation;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>
/// What one run of <see cref="ContrastiveTrainer"/> works with from epoch to epoch. It owns nothing: the trainer
/// disposes the random source, the model, the optimizer, the bank and the tensors.
/// </summary>
sealed class TrainingRun
{
    public required TrainingControl Control { get; init; }
    public required Device Device { get; init; }
    public required TrialRandom Random { get; init; }
    public required ContrastiveModel Model { get; init; }
    public required optim.Optimizer Optimizer { get; init; }
    public required MemoryBank? Bank { get; init; }
    public required TrainingStep Step { get; init; }
    public required Evaluator Evaluator { get; init; }
    /// <summary>The training images' indices into the train set.</summary>
    public required Tensor TrainingIndices { get; init; }
    public required int Batch { get; init; }
    public required int StepsPerEpoch { get; init; }
    /// <summary>Running since the trial started here (its outcome's seconds).</summary>
    public required Stopwatch Clock { get; init; }
    public required List<EpochMetrics> History { get; init; }
    /// <summary>The checkpoint resumed from or last written: an interrupted final evaluation resumes from it.</summary>
    public string? LastCheckpoint { get; set; }
}
