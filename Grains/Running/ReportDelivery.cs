using Microsoft.Extensions.Logging;

namespace Study.Grains.Running;

/// <summary>How a silo sends what a trial attempt reports (epochs, outcomes, embeddings): retried until it arrives,
/// the attempt is stopped, or a few minutes have passed.</summary>
public sealed class ReportDelivery(ILogger log)
{
    /// <summary>
    /// Reports must arrive: the coordinator may be moving off a silo that died, which membership takes some seconds
    /// to declare, so keep trying for a few minutes (or until the attempt is cancelled) before giving up.
    /// </summary>
    public async Task DeliverAsync(Func<Task> send, CancellationToken stop = default)
    {
        var until = DateTime.UtcNow + DeliveryPatience;
        for (int attempt = 1; ; attempt++)
        {
            try { await send(); return; }
            catch (Exception e) when (DateTime.UtcNow < until && !stop.IsCancellationRequested)
            {
                log.LogWarning("report of a trial failed (try {Try}: {Error}); retrying", attempt, e.GetBaseException().Message);
                await Task.Delay(Math.Min(5000, 500 * attempt));
            }
        }
    }

    /// <summary><see cref="DeliverAsync"/> from a slot thread, which waits for it.</summary>
    public void Deliver(Func<Task> send, CancellationToken stop) => Block(DeliverAsync(send, stop));

    static readonly TimeSpan DeliveryPatience = TimeSpan.FromMinutes(3);

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
