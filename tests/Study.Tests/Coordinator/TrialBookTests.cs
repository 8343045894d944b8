using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

/// <summary>The order queued trials start in: the most trained first (a trial ASHA promoted from a higher rung before
/// one from a lower rung, both before new trials), then by index.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class TrialBookTests
{
    static TrialState Trial(int index, TrialStatus status, int epochs) =>
        new(new TrialRecord("s", $"t{index}", index, 0.1 * (index + 1), 1, status, Attempt: 1, EpochsCompleted: epochs), DateTime.UnixEpoch);

    [Fact]
    public void PromotedTrialsOfTheHighestRungStartFirst()
    {
        var book = new TrialBook();
        foreach (var t in new[] { Trial(5, TrialStatus.Queued, 0), Trial(2, TrialStatus.Paused, 1), Trial(7, TrialStatus.Paused, 3), Trial(0, TrialStatus.Queued, 0) })
            book.Add(t);
        Assert.Equal(["t0", "t5"], book.Queued.Select(t => t.Record.TrialId));
        foreach (var id in new[] { "t2", "t7" })
        {
            Assert.True(book.TryGet(id, out var paused));
            book.Set(paused, paused.Record with { Status = TrialStatus.Queued });
        }
        Assert.Equal(["t7", "t2", "t0", "t5"], book.Queued.Select(t => t.Record.TrialId));
        Assert.True(book.TryGet("t7", out var started));
        book.Set(started, started.Record with { Status = TrialStatus.Running });
        Assert.Equal(["t2", "t0", "t5"], book.Queued.Select(t => t.Record.TrialId));
        Assert.Equal(3, book.QueuedCount);
    }
}
