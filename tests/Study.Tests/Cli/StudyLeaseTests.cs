using Study.Client.Connection;
using Study.Grains.Storage;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>A lease taken by another process is noticed at the next renewal (issue 10, defect 7: a process paused
/// for longer than the lease used to go on driving a study another process had taken).</summary>
public sealed class StudyLeaseTests
{
    [Fact]
    public async Task ALeaseTakenByAnotherProcessIsNoticedAtTheNextRenewal()
    {
        await using var store = new MemoryStudyStore();
        await store.CreateStudy(new StudyRecord("s", "running", 1, 1, """{"dataset":"synthetic"}"""), []);
        var lease = await StudyLease.Acquire(store, "s");
        Assert.False(lease.Lost.IsCancellationRequested);
        // Another process finds this one gone (as after a pause longer than the lease) and takes the study.
        var taken = await store.TryAcquireLease("s", "elsewhere:1:1", TimeSpan.FromSeconds(20), _ => true);
        Assert.Equal(LeaseOutcome.Acquired, taken.Outcome);
        var noticed = new TaskCompletionSource();
        using var registration = lease.Lost.Register(() => noticed.TrySetResult());
        Assert.Same(noticed.Task, await Task.WhenAny(noticed.Task, Task.Delay(TimeSpan.FromSeconds(15))));
        await lease.DisposeAsync();
        // Releasing a lease this process no longer holds leaves the new holder's in place.
        var again = await store.TryAcquireLease("s", "third:2:2", TimeSpan.FromSeconds(20), _ => false);
        Assert.Equal((LeaseOutcome.HeldByOther, "elsewhere:1:1"), (again.Outcome, again.Owner));
    }
}
