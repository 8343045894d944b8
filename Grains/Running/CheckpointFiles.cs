namespace Study.Grains.Running;

/// <summary>Where a trial's checkpoints live in the artifacts folder, and their names: one file per attempt and epoch
/// (a<c>A</c>-e<c>E</c>.ckpt), and per step for a checkpoint written mid-epoch on a stop (a<c>A</c>-e<c>E</c>-s<c>S</c>.ckpt).</summary>
public static class CheckpointFiles
{
    public static string Folder(string artifacts, string studyId, string trialId) => Path.Combine(artifacts, studyId, trialId);

    /// <param name="step">0 at the end of an epoch</param>
    public static string PathFor(string folder, int attempt, int epoch, int step) =>
        Path.Combine(folder, step == 0 ? $"a{attempt}-e{epoch}.ckpt" : $"a{attempt}-e{epoch}-s{step}.ckpt");

    /// <summary>The files of one attempt (to remove once it has ended and been reported).</summary>
    public static string PatternOf(int attempt) => $"a{attempt}-*.ckpt";
}
