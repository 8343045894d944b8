using System.Diagnostics;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>The parts of a trial that <see cref="TrialProfile"/> times, in the order a trial goes through them.</summary>
public enum TrialPhase
{
    /// <summary>Gathering a batch's images and converting them to floats on the device.</summary>
    [JsonStringEnumMemberName("batch")] Batch,
    [JsonStringEnumMemberName("augment")] Augment,
    /// <summary>The encoder and projection head on both views (or the one view of a memory bank).</summary>
    [JsonStringEnumMemberName("forward")] Forward,
    [JsonStringEnumMemberName("loss")] Loss,
    [JsonStringEnumMemberName("backward")] Backward,
    /// <summary>The optimiser's step, the memory bank's update and reading the loss back.</summary>
    [JsonStringEnumMemberName("optimizer")] Optimizer,
    /// <summary>After each epoch: encoding the training and validation images for the epoch's probe.</summary>
    [JsonStringEnumMemberName("probe-encode")] ProbeEncode,
    /// <summary>After each epoch: the validation kNN, uniformity and tolerance.</summary>
    [JsonStringEnumMemberName("probe-metrics")] ProbeMetrics,
    [JsonStringEnumMemberName("checkpoint")] Checkpoint,
    /// <summary>The final evaluation's encodings of images the last probe did not encode (the test split).</summary>
    [JsonStringEnumMemberName("final-encode")] FinalEncode,
    /// <summary>The final kNN accuracies (validation and test).</summary>
    [JsonStringEnumMemberName("final-knn")] FinalKnn,
    [JsonStringEnumMemberName("linear-probe")] LinearProbe,
    /// <summary>Two augmented views of the test images, for alignment and the similarity histograms.</summary>
    [JsonStringEnumMemberName("final-views")] FinalViews,
}

/// <summary>
/// Where a trial's time goes (`study train --profile`, docs/PERFORMANCE.md): seconds per phase, summed over the run.
/// Each lap waits for the device first, so that work queued on a GPU counts in the phase that queued it.
/// </summary>
public sealed class TrialProfile(Device device)
{
    readonly double[] seconds = new double[Enum.GetValues<TrialPhase>().Length];

    /// <summary>Starts timing <paramref name="phase"/>; disposing the lap ends it.</summary>
    public IDisposable Start(TrialPhase phase)
    {
        Synchronize();
        return new Lap(this, phase, Stopwatch.GetTimestamp());
    }

    public IReadOnlyList<(TrialPhase Phase, double Seconds)> Phases =>
        [.. Enum.GetValues<TrialPhase>().Select(p => (p, seconds[(int)p]))];

    public double TotalSeconds => seconds.Sum();

    void Synchronize()
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    sealed class Lap(TrialProfile profile, TrialPhase phase, long started) : IDisposable
    {
        public void Dispose()
        {
            profile.Synchronize();
            profile.seconds[(int)phase] += Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }
}

/// <summary>Lets code time a phase whether or not a profile was asked for.</summary>
public static class TrialProfiles
{
    /// <summary>A lap of <paramref name="phase"/>, or nothing to dispose when there is no profile.</summary>
    public static IDisposable? Time(this TrialProfile? profile, TrialPhase phase) => profile?.Start(phase);
}
