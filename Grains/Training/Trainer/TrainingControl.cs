namespace Study.Training.Trainer;

/// <summary>How the host steers and hears from a running trial. Every member is optional.</summary>
public sealed class TrainingControl
{
    /// <summary>Where the checkpoint lives; when it exists at start (and <see cref="ResumeFrom"/> is not given), training resumes from it.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>A checkpoint to resume from, other than <see cref="CheckpointPath"/>.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Where to write the checkpoint of (epoch, step in epoch; 0 at an epoch's end), instead of one
    /// <see cref="CheckpointPath"/>: a host that fences attempts gives every attempt and epoch its own file.</summary>
    public Func<int, int, string>? CheckpointPathFor { get; init; }

    public string? SavePath(int epoch, int step) => CheckpointPathFor?.Invoke(epoch, step) ?? CheckpointPath;

    public string? LoadPath => ResumeFrom ?? (CheckpointPath is { } path && File.Exists(path) ? path : null);
    /// <summary>Fencing number written into checkpoints (a trial's attempt).</summary>
    public int Attempt { get; init; } = 1;
    /// <summary>Stops at the next step; the trial ends cancelled.</summary>
    public CancellationToken Cancel { get; init; }
    /// <summary>Checkpoints at the next step and stops; the trial ends interrupted, to be resumed elsewhere.</summary>
    public CancellationToken Interrupt { get; init; }
    /// <summary>Called on the training thread after each epoch (and its checkpoint); may prune, pause or stop the trial.</summary>
    public Func<EpochMetrics, EpochVerdict>? OnEpoch { get; init; }
    /// <summary>Called on the training thread every few steps.</summary>
    public Action<StepProgress>? OnProgress { get; init; }
    /// <summary>When given, gets the seconds of each phase of the run.</summary>
    public TrialProfile? Profile { get; init; }
}

/// <summary>Where a running epoch is: steps done of the epoch's steps, the epoch's mean loss so far, and the
/// seconds it has taken (resumed epochs include the seconds before the interruption).</summary>
public readonly record struct StepProgress(int Epoch, int Step, int StepsPerEpoch, double Loss, double EpochSeconds, int BatchSize)
{
    public double ImagesPerSecond => EpochSeconds > 0 ? Step * (double)BatchSize / EpochSeconds : 0;
}
