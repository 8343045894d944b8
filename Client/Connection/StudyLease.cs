using System.Diagnostics;
using Study.Grains.Hosting;
using Study.Grains.Storage;

namespace Study.Client.Connection;

/// <summary>
/// The lease a process holds on an embedded study while it drives it, so that two processes never do: renewed every
/// few seconds; a holder on this machine whose process is gone (killed) loses it at once.
/// </summary>
public sealed class StudyLease : IAsyncDisposable
{
    static readonly TimeSpan Ttl = TimeSpan.FromSeconds(20);
    readonly IStudyStore store;
    readonly string studyId;
    readonly CancellationTokenSource stop = new();
    readonly CancellationTokenSource lost = new();
    readonly Task renewing;

    StudyLease(IStudyStore store, string studyId)
    {
        this.store = store;
        this.studyId = studyId;
        renewing = Task.Run(Renew);
    }

    /// <summary>Fires when a renewal finds the lease taken by another process (this one was paused or cut off for
    /// longer than the lease lasts): from then on this process must not drive the study.</summary>
    public CancellationToken Lost => lost.Token;

    /// <summary>This process, as lease owners are written: host, pid and process start time.</summary>
    public static string Me { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{StartSeconds(Process.GetCurrentProcess())}";

    // Whole seconds: the start time .NET derives for a process differs by fractions between readers.
    static long StartSeconds(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();

    public static async Task<StudyLease> Acquire(IStudyStore store, string studyId)
    {
        var result = await store.TryAcquireLease(studyId, Me, Ttl, IsGone);
        return result.Outcome switch
        {
            LeaseOutcome.Acquired => new StudyLease(store, studyId),
            LeaseOutcome.HeldByOther => throw new UsageException($"study {studyId} is being driven by another process ({result.Owner}); use watch, or cancel it"),
            _ => throw new UsageException($"no study '{studyId}' in the store"),
        };
    }

    /// <summary>Whether a lease owner is a process of this machine that no longer runs (the only case we can know).</summary>
    public static bool IsGone(string owner)
    {
        var parts = owner.Split(':');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid)) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            // Same pid but another start time: the pid was reused by a new process.
            return !long.TryParse(parts[2], out var started) || Math.Abs(StartSeconds(process) - started) > 2;
        }
        catch (ArgumentException) { return true; }
        catch (InvalidOperationException) { return true; }
    }

    async Task Renew()
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(5), stop.Token); } catch (OperationCanceledException) { break; }
            bool renewed;
            try { renewed = await store.RenewLease(studyId, Me, Ttl); } catch (Exception) { continue; /* the store did not answer: next time */ }
            if (!renewed)
            {
                lost.Cancel();
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        await renewing;
        await store.ReleaseLease(studyId, Me);
    }
}
