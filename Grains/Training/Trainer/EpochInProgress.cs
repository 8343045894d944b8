using System.Diagnostics;
using Study.Training.Losses;

namespace Study.Training.Trainer;

/// <summary>An epoch while it trains: its order of images, its loss, hardness statistics and τ so far, its learning rate
/// and its seconds (with those it had before the interruption it resumes from).</summary>
sealed class EpochInProgress(int epoch, long[] permutation, double lossSum, double secondsBefore, double learningRate,
    HardnessStatistics? hardness, double tauSum)
{
    readonly Stopwatch clock = Stopwatch.StartNew();

    public int Epoch => epoch;
    public long[] Permutation => permutation;
    public double LossSum { get; set; } = lossSum;
    public HardnessStatistics Hardness { get; } = hardness ?? new HardnessStatistics();
    /// <summary>Σ τ over the epoch's steps so far (its mean is the epoch's τ under a schedule).</summary>
    public double TauSum { get; set; } = tauSum;
    public double LearningRate { get; set; } = learningRate;
    public double Seconds => secondsBefore + clock.Elapsed.TotalSeconds;
}
