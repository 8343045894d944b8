using Microsoft.Extensions.Time.Testing;

namespace Study.Tests.Infrastructure;

/// <summary>Fake clocks the tests move instead of waiting.</summary>
public static class FakeClock
{
    /// <summary>A fixed start, so that what a test stores with times in it is the same every run.</summary>
    public static FakeTimeProvider New() => new(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Moves <paramref name="clock"/> a step at a time, after a real <paramref name="pause"/> each (for the code
    /// under test to see the time), until <paramref name="task"/> ends or <paramref name="most"/> has passed.</summary>
    /// <returns>how far the clock moved</returns>
    public static async Task<TimeSpan> AdvanceUntil(FakeTimeProvider clock, Task task, TimeSpan step, TimeSpan pause, TimeSpan most)
    {
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted && advanced < most)
        {
            await Task.Delay(pause);
            clock.Advance(step);
            advanced += step;
        }
        return advanced;
    }
}
