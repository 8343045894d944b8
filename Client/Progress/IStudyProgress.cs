using Spectre.Console;
using Study.Grains.Storage;

namespace Study.Client.Progress;

/// <summary>Follows a study until it ends, showing its progress.</summary>
public interface IStudyProgress
{
    /// <summary>
    /// Returns the study's final row when it ends, or null when the user stopped following it (Ctrl-C without
    /// <paramref name="onCancel"/>, "detach", or <paramref name="detach"/>). With <paramref name="onCancel"/>, a cancel
    /// runs it once and follows the study to its (cancelled) end.
    /// </summary>
    /// <param name="detach">stops following without cancelling, even when <paramref name="cancel"/> fires with it</param>
    Task<StudyRecord?> Follow(Func<Task>? onCancel, CancellationToken cancel, CancellationToken detach);
}

public static class StudyProgress
{
    /// <summary>The live view on a terminal; plain lines on stderr when stdout is not one, or with --json.</summary>
    /// <param name="detachHint">what detaching does, shown when Ctrl-C asks</param>
    public static IStudyProgress For(IStudyStore store, string studyId, bool json, string detachHint) =>
        json || Console.IsOutputRedirected || Environment.GetEnvironmentVariable("TERM") is null or "dumb"
            ? new PlainProgress(store, studyId, Console.Error)
            : new LiveProgress(store, studyId, AnsiConsole.Console, detachHint);
}
