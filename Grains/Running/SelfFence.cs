using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Study.Grains.Running;

/// <summary>
/// A silo cut off from the rest of the cluster stops its own trials before the cluster runs them elsewhere, so that
/// no two silos ever train one trial at once (docs/RELIABILITY.md, "No trial trains twice"). While it trains, it asks
/// the other active silos every half second whether they hear it (a management call that each silo answers itself),
/// and, when none does, the membership table whether it still lists this silo active; once neither has said yes for
/// <see cref="StopAfter"/>, it interrupts its trials (each checkpoints at its next step
/// and stops) and starts none until one answers again. The other side waits longer: a coordinator moves a trial off a
/// dead silo only <see cref="Coordinator.SiloLiveness.DeadGrace"/> after it first sees the silo dead, which itself
/// takes 3 missed probes. Durations are measured on each machine's own monotonic clock, so clock skew does not matter.
/// A silo alone in its cluster has no one to ask and no one who could take its trials: it never fences itself.
/// </summary>
public sealed class SelfFence(TrialRunner runner, IClusterMembershipService membership, IGrainFactory grains, ILocalSiloDetails silo,
    IServiceProvider services, TimeProvider clock, ILogger<SelfFence> log) : BackgroundService
{
    public static readonly TimeSpan StopAfter = TimeSpan.FromSeconds(4);
    static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
    long lastAnswer = clock.GetTimestamp();
    /// <summary>The membership table (absent with development clustering).</summary>
    readonly IMembershipTable? table = services.GetService<IMembershipTable>();
    Task? asking;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Check();
            try { await Task.Delay(Period, clock, stopping); } catch (OperationCanceledException) { break; }
        }
    }

    void Check()
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress)).Select(m => m.SiloAddress).ToArray();
        if (others.Length == 0 || runner.RunningCount == 0 && !runner.Fenced)
        {
            Heard();
            return;
        }
        if (asking is null || asking.IsCompleted) asking = Ask(others);
        var silent = clock.GetElapsedTime(Interlocked.Read(ref lastAnswer));
        if (silent <= StopAfter || runner.Fenced) return;
        runner.Fenced = true;
        log.LogWarning("silo: no other silo has answered for {Seconds:0.0} s: stopping this silo's {Count} trial(s) at their next step and " +
            "starting none until one answers (the cluster runs them elsewhere if it declares this silo dead)", silent.TotalSeconds, runner.RunningCount);
        _ = runner.InterruptAll(TimeSpan.Zero);
    }

    void Heard()
    {
        Interlocked.Exchange(ref lastAnswer, clock.GetTimestamp());
        if (!runner.Fenced) return;
        runner.Fenced = false;
        log.LogWarning("silo: the other silos answer again; this silo takes trials again");
    }

    /// <summary>One round: the other silos first; when none answers within a second, the membership table too (this
    /// silo's own row, read from the database). Heard when a silo answers or the table still lists this silo active.</summary>
    async Task Ask(SiloAddress[] others)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var answers = others.Select(async other => (await management.GetRuntimeStatistics([other])).Length > 0).ToList();
        foreach (var answer in answers) Observe(answer);
        var deadline = Task.Delay(StopAfter, clock);
        if (await AnyTrue(answers, Task.Delay(TimeSpan.FromSeconds(1), clock))) { Heard(); return; }
        var listed = ListedActive();
        Observe(listed);
        if (await AnyTrue([.. answers, listed], deadline)) Heard();
    }

    /// <summary>This silo's own status in the membership table: with two silos, the survivor of a silo that died hears
    /// no silo, but it still reaches the table, which the dead silo's peers decide by.</summary>
    async Task<bool> ListedActive()
    {
        if (table is null) return false;
        var row = await table.ReadRowAsync(silo.SiloAddress, CancellationToken.None);
        return row.Members.Any(m => m.Item1.SiloAddress.Equals(silo.SiloAddress) && m.Item1.Status == SiloStatus.Active);
    }

    /// <summary>A question whose answer may come after the round has ended: its failure is observed, not thrown.</summary>
    static void Observe(Task task) => _ = task.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);

    /// <summary>Whether any of <paramref name="tasks"/> comes true before <paramref name="deadline"/>; the rest are
    /// left running.</summary>
    static async Task<bool> AnyTrue(List<Task<bool>> tasks, Task deadline)
    {
        var pending = new List<Task<bool>>(tasks);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending.Cast<Task>().Append(deadline));
            if (done == deadline) return false;
            var answered = (Task<bool>)done;
            pending.Remove(answered);
            if (answered.IsCompletedSuccessfully && answered.Result) return true;
        }
        return false;
    }
}
