using System.Runtime.InteropServices;

namespace Study.Client.Progress;

/// <summary>
/// SIGTERM (`kill`, a container being stopped): the command stops as after Ctrl-C, except that one following a study
/// detaches from it — its trials checkpoint, and `study resume` (or the cluster) goes on — rather than cancelling it.
/// </summary>
public static class Termination
{
    static readonly CancellationTokenSource requested = new();

    public static CancellationToken Requested => requested.Token;

    /// <summary>Until disposed, SIGTERM no longer ends the process at once: <see cref="Requested"/> fires and
    /// <paramref name="stop"/> stops the command. (A host started later, like the embedded silo's, still hears the signal
    /// and stops too; the followed study has detached by then.)</summary>
    public static IDisposable Listen(Action stop) => PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        requested.Cancel();
        stop();
    });
}
