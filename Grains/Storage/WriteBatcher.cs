using System.Data.Common;
using System.Threading.Channels;

namespace Study.Grains.Storage;

/// <summary>
/// Serialises a store's writes through one writer that commits whatever is pending in a single transaction: under
/// load, hundreds of small writes cost one commit (one fsync) instead of one each. Each write still gets its own
/// result; if a batch fails inside a write, its writes are retried one by one so that only the failing one fails.
/// When the database cannot be reached (no connection, or a transient error), the whole batch fails at once: retried
/// one by one, 512 writes would each wait out a connection timeout while the queue grew. The queue is bounded: past
/// <see cref="Capacity"/> pending writes a new one fails at once, saying so, instead of filling the memory.
/// </summary>
public sealed class WriteBatcher : IAsyncDisposable
{
    public delegate Task<int> Write(DbConnection connection, DbTransaction transaction);

    sealed record Pending(Write Write, TaskCompletionSource<int> Done);

    const int MaxBatch = 512;
    public const int DefaultCapacity = 20_000;
    readonly Channel<Pending> queue;
    readonly Func<Task<DbConnection>> open;
    readonly Func<DbConnection, DbTransaction> begin;
    readonly Task writer;

    public int Capacity { get; }

    public WriteBatcher(Func<Task<DbConnection>> open, Func<DbConnection, DbTransaction> begin, int capacity = DefaultCapacity)
    {
        Capacity = capacity;
        queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        this.open = open;
        this.begin = begin;
        writer = Task.Run(Run);
    }

    public Task<int> Enqueue(Write write)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new Pending(write, done)))
            done.SetException(closed
                ? new ObjectDisposedException(nameof(WriteBatcher))
                : new TimeoutException($"the store is not keeping up: {Numbers.Count(Capacity)} writes are waiting for the database"));
        return done.Task;
    }

    async Task Run()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0) continue;
            try
            {
                var results = await Commit(batch);
                for (int i = 0; i < batch.Count; i++) batch[i].Done.SetResult(results[i]);
            }
            catch (Exception e) when (Unreachable(e))
            {
                var cause = e is UnreachableException { InnerException: { } inner } ? inner : e;
                foreach (var item in batch) item.Done.SetException(cause);
            }
            catch when (batch.Count > 1)
            {
                foreach (var item in batch)
                {
                    try { item.Done.SetResult((await Commit([item]))[0]); }
                    catch (Exception e) { item.Done.SetException(e); }
                }
            }
            catch (Exception e)
            {
                batch[0].Done.SetException(e);
            }
        }
    }

    /// <summary>Thrown when the database could not be reached: every write of the batch fails with it.</summary>
    sealed class UnreachableException(Exception inner) : Exception(inner.Message, inner);

    static bool Unreachable(Exception e) => e is UnreachableException or DbException { IsTransient: true };

    async Task<int[]> Commit(IReadOnlyList<Pending> items)
    {
        DbConnection opened;
        try { opened = await open(); }
        catch (Exception e) { throw new UnreachableException(e); }
        await using var connection = opened;
        await using var transaction = begin(connection);
        var results = new int[items.Count];
        for (int i = 0; i < items.Count; i++) results[i] = await items[i].Write(connection, transaction);
        await transaction.CommitAsync();
        return results;
    }

    volatile bool closed;

    public async ValueTask DisposeAsync()
    {
        closed = true;
        queue.Writer.TryComplete();
        await writer;
    }
}
