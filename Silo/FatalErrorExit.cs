using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Study.Silo;

/// <summary>
/// What a silo does when Orleans finds it cannot go on, most often because the cluster declared it dead while it was
/// cut off (longer than the membership timeout) and it has just heard so. Orleans's own handler ends the process with
/// Environment.FailFast, a SIGABRT and a core dump, which reads as a crash. This one writes one line saying what
/// happened and exits with status <see cref="ExitStatus"/> at once (the process's state cannot be trusted, so no
/// orderly shutdown), for its supervisor (Kubernetes, systemd) to start it again as a new silo.
/// </summary>
public sealed class FatalErrorExit(ILogger<FatalErrorExit> log) : IFatalErrorHandler
{
    public const int ExitStatus = 3;

    public bool IsUnexpected(Exception exception) => exception is not ThreadAbortException;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        var what = context?.Contains("dead", StringComparison.OrdinalIgnoreCase) == true
            ? "the cluster declared this silo dead (it was cut off for longer than the membership timeout)"
            : $"a fatal error in {sender?.GetType().Name ?? "Orleans"} ({context}{(exception is null ? "" : ": " + exception.Message)})";
        log.LogCritical(exception, "silo: {What}; exiting with status {Status} to be started again", what, ExitStatus);
        Console.Error.WriteLine($"silo: {what}; exiting with status {ExitStatus} to be started again");
        Console.Error.Flush();
        Console.Out.Flush();
        _exit(ExitStatus);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    static extern void _exit(int status);
}
