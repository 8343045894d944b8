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

    /// <summary>Takes SIGTERM from the runtime (and from any host started later) until disposed; <paramref name="stop"/>
    /// then stops the command.</summary>
    public static IDisposable Listen(Action stop) => PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        requested.Cancel();
        stop();
    });
}
