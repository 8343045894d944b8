using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Study.Grains.Running;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>How a silo retries an attempt's reports, on a fake clock: jittered exponential backoff, up to
/// <see cref="ReportDelivery.Patience"/>, and no retry once the attempt is stopped.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class ReportDeliveryTests
{
    readonly FakeTimeProvider clock = FakeClock.New();
    readonly List<TimeSpan> tries = [];

    ReportDelivery Delivery => new(NullLogger<ReportDelivery>.Instance, clock);

    Func<Task> Send(int failures) => () =>
    {
        tries.Add(clock.GetUtcNow() - clock.Start);
        return tries.Count <= failures ? Task.FromException(new TimeoutException("no answer")) : Task.CompletedTask;
    };

    /// <summary>Moves the fake clock in steps of 50 ms until the delivery ends (or 10 fake minutes pass).</summary>
    async Task Run(Task delivery)
    {
        await FakeClock.AdvanceUntil(clock, delivery, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
        Assert.True(delivery.IsCompleted, "the delivery neither arrived nor gave up");
    }

    [Fact]
    public async Task AReportThatFailsIsRetriedWithJitteredGrowingWaitsUntilItArrives()
    {
        var delivery = Delivery.DeliverAsync(Send(failures: 6));
        await Run(delivery);
        await delivery;
        Assert.Equal(7, tries.Count);
        var waits = tries.Zip(tries.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
        Assert.All(waits, w => Assert.InRange(w, 0, 5.1));
        // Without jitter the waits would be 0.5, 1, 2, 4, 5, 5 s exactly: with it, silos that failed together spread out.
        Assert.NotEqual([0.5, 1, 2, 4, 5, 5], waits.Select(w => Math.Round(w, 1)));
        Assert.True(waits.Sum() > 3, $"the waits ({string.Join(", ", waits)}) do not grow");
    }

    [Fact]
    public async Task AReportThatNeverArrivesIsGivenUpAfterThePatience()
    {
        var delivery = Delivery.DeliverAsync(Send(failures: int.MaxValue));
        await Run(delivery);
        await Assert.ThrowsAsync<TimeoutException>(() => delivery);
        Assert.InRange(tries[^1], ReportDelivery.Patience - TimeSpan.FromSeconds(5.1), ReportDelivery.Patience + TimeSpan.FromSeconds(5.1));
        Assert.True(tries.Count > 30, $"only {tries.Count} tries in {ReportDelivery.Patience}");
    }

    [Fact]
    public async Task AStoppedAttemptsReportIsNotRetried()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var delivery = Delivery.DeliverAsync(Send(failures: int.MaxValue), stop.Token);
        await Run(delivery);
        await Assert.ThrowsAsync<TimeoutException>(() => delivery);
        Assert.Single(tries);
    }
}
