using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Study.Grains.Running;

/// <summary>How a silo sends what a trial attempt reports (epochs, outcomes, embeddings): retried with jittered
/// exponential backoff until it arrives, the attempt is stopped, or <see cref="Patience"/> has passed.</summary>
public sealed class ReportDelivery(ILogger<ReportDelivery> log, TimeProvider clock)
{
    /// <summary>
    /// Reports must arrive: the coordinator may be moving off a silo that died, which membership takes some seconds
    /// to declare, so keep trying for a few minutes (or until the attempt is cancelled) before giving up.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    public async Task DeliverAsync(Func<Task> send, CancellationToken stop = default)
    {
        var until = clock.GetUtcNow() + Patience;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && clock.GetUtcNow() < until && !stop.IsCancellationRequested),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(5),
            MaxRetryAttempts = int.MaxValue,
            OnRetry = args =>
            {
                log.LogWarning("report of a trial failed (try {Try}: {Error}); retrying", args.AttemptNumber + 1,
                    args.Outcome.Exception!.GetBaseException().Message);
                return ValueTask.CompletedTask;
            },
        }).Build();
        // Not stop itself: a cancelled stop ends the retries (ShouldHandle), and the send's own failure is what the
        // caller sees, as before.
        await pipeline.ExecuteAsync(async _ => await send(), CancellationToken.None);
    }

    /// <summary><see cref="DeliverAsync"/> from a slot thread, which waits for it.</summary>
    public void Deliver(Func<Task> send, CancellationToken stop) => Block(DeliverAsync(send, stop));

    /// <summary>
    /// Waits for a task on a slot thread without spinning: Task.Wait spins first, and thirty-two slot threads
    /// spinning on grain calls took half of this machine's two cores (measured with `study bench --runtime`).
    /// </summary>
    static void Block(Task task)
    {
        if (!task.IsCompleted)
        {
            using var done = new ManualResetEventSlim(false, spinCount: 0);
            task.ContinueWith(_ => done.Set(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            done.Wait();
        }
        task.GetAwaiter().GetResult();
    }
}
