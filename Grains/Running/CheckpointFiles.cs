namespace Study.Grains.Running;

/// <summary>Where a trial's checkpoints live in the artifacts folder, and their names: one file per attempt and epoch
/// (a<c>A</c>-e<c>E</c>.ckpt), and per step for a checkpoint written mid-epoch on a stop (a<c>A</c>-e<c>E</c>-s<c>S</c>.ckpt).</summary>
public static class CheckpointFiles
{
    /// <exception cref="ArgumentException">ids that would lead outside the artifacts folder</exception>
    public static string Folder(string artifacts, string studyId, string trialId)
    {
        var folder = Path.GetFullPath(Path.Combine(artifacts, studyId, trialId));
        if (!IsUnder(artifacts, folder) || !Coordinator.StudySpecRules.IsSafeId(studyId) || !Coordinator.StudySpecRules.IsSafeId(trialId))
            throw new ArgumentException($"trial '{studyId}/{trialId}' would keep its checkpoints outside the artifacts folder");
        return folder;
    }

    /// <summary>Whether <paramref name="path"/> lies inside the folder <paramref name="root"/> (after resolving '..').</summary>
    public static bool IsUnder(string root, string path)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(fullRoot, StringComparison.Ordinal);
    }

    /// <param name="step">0 at the end of an epoch</param>
    public static string PathFor(string folder, int attempt, int epoch, int step) =>
        Path.Combine(folder, step == 0 ? $"a{attempt}-e{epoch}.ckpt" : $"a{attempt}-e{epoch}-s{step}.ckpt");

    /// <summary>The files of one attempt (to remove once it has ended and been reported), and its unfinished writes.</summary>
    public static string PatternOf(int attempt) => $"a{attempt}-*.ckpt";
    public static string TemporaryPatternOf(int attempt) => $"a{attempt}-*.ckpt.tmp-*";

    /// <summary>A study's checkpoints: every trial's folder.</summary>
    public static string StudyFolder(string artifacts, string studyId) => Path.GetDirectoryName(Folder(artifacts, studyId, "any"))!;
}
