using System.Diagnostics;

namespace Study.Training.Trainer;

/// <summary>An epoch while it trains: its order of images, its loss so far, its learning rate and its seconds
/// (with those it had before the interruption it resumes from).</summary>
sealed class EpochInProgress(int epoch, long[] permutation, double lossSum, double secondsBefore, double learningRate)
{
    readonly Stopwatch clock = Stopwatch.StartNew();

    public int Epoch => epoch;
    public long[] Permutation => permutation;
    public double LossSum { get; set; } = lossSum;
    public double LearningRate { get; set; } = learningRate;
    public double Seconds => secondsBefore + clock.Elapsed.TotalSeconds;
}
