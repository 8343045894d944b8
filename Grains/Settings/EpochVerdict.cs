namespace Study.Settings;

/// <summary>What happens to a trial after one of its epochs: the pruners', the coordinator's and the trainer's one
/// answer.</summary>
public enum EpochVerdict
{
    Continue,
    /// <summary>Stop the trial for good, as pruned.</summary>
    Prune,
    /// <summary>Stop at this epoch's checkpoint (the attempt ends interrupted) until the trial is promoted: ASHA's rungs.</summary>
    Pause,
    /// <summary>Stop now, as cancelled: the study is cancelled, or the attempt is no longer the trial's.</summary>
    Stop,
}
