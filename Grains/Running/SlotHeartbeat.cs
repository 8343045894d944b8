using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Study.Grains.Scheduling;

namespace Study.Grains.Running;

/// <summary>
/// Tells the slot scheduler every second what this silo can host and what it runs (reservations themselves are made
/// and released by the coordinators; this reconciles them, and rebuilds them for a new scheduler activation); keeps this silo's <see cref="SlotDirectory"/> fresh; and on a graceful stop first declares the silo
/// leaving (nothing more is placed here) and then interrupts its trials, which checkpoint at their next step and
/// report themselves interrupted so their coordinators move them elsewhere.
/// </summary>
public sealed class SlotHeartbeat(SlotPool pool, TrialRunner runner, SlotDirectory directory, IGrainFactory grains,
    ILocalSiloDetails silo, RuntimeOptions options, ILogger<SlotHeartbeat> log) : BackgroundService
{
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    volatile bool leaving;

    ISlotSchedulerGrain Scheduler => grains.GetGrain<ISlotSchedulerGrain>(0);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Beat();
            try { await Task.Delay(Period, stopping); } catch (OperationCanceledException) { break; }
        }
    }

    async Task Beat()
    {
        try
        {
            await Scheduler.Heartbeat(new SiloSlotReport(silo.SiloAddress, silo.Name, pool.Count, pool.Running, leaving, runner.Reporting));
            directory.Update(await Scheduler.SiloSlots());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogDebug(e, "slot heartbeat failed; retrying");
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A stop whose token is already cancelled is an ungraceful one (the host gave up, or a test kills the silo):
        // behave like a crash and leave the trials to the coordinators' failure detection.
        if (!cancellationToken.IsCancellationRequested)
        {
            leaving = true;
            await Beat();
            await runner.InterruptAll(options.DrainTimeout);
        }
        await base.StopAsync(cancellationToken);
    }
}
