using Orleans.Runtime;
using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>A trial whose outcome is slow to reach its coordinator is not taken for lost (issue 10, defect 4: the
/// slot was freed before delivery, the heartbeat stopped listing the trial, and after ~20 s it ran again).</summary>
public sealed class SlowOutcomeTests
{
    [Fact]
    public async Task ATrialStillReportingItsOutcomeIsNotAbsent()
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var scheduler = cluster.SiloGrains().GetGrain<ISlotSchedulerGrain>(0); // as silos and coordinators call it
        var silo = SiloAddress.New(System.Net.IPAddress.Loopback, 40_001, 1);
        string running = "s/t-running", reporting = "s/t-reporting", lost = "s/t-lost";
        await scheduler.Heartbeat(new SiloSlotReport(silo, "fake", 2, [running], Leaving: false, Reporting: [reporting]));
        var absent = await scheduler.Absent(new() { [running] = silo, [reporting] = silo, [lost] = silo });
        Assert.Equal([lost], absent);
        // Once delivered, the silo lists it no more: now it would be absent (the coordinator has its outcome by then).
        await scheduler.Heartbeat(new SiloSlotReport(silo, "fake", 2, [running], Leaving: false));
        Assert.Equal([lost, reporting], (await scheduler.Absent(new() { [running] = silo, [reporting] = silo, [lost] = silo })).Order());
    }
}
