using System.Data.Common;
using System.Threading.Channels;

namespace Study.Grains.Storage;

/// <summary>
/// Serialises a store's writes through one writer that commits whatever is pending in a single transaction: under
/// load, hundreds of small writes cost one commit (one fsync) instead of one each. Each write still gets its own
/// result; if a batch fails, its writes are retried one by one so that only the failing one fails.
/// </summary>
public sealed class WriteBatcher : IAsyncDisposable
{
    public delegate Task<int> Write(DbConnection connection, DbTransaction transaction);

    sealed record Pending(Write Write, TaskCompletionSource<int> Done);

    const int MaxBatch = 512;
    readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    readonly Func<Task<DbConnection>> open;
    readonly Func<DbConnection, DbTransaction> begin;
    readonly Task writer;

    public WriteBatcher(Func<Task<DbConnection>> open, Func<DbConnection, DbTransaction> begin)
    {
        this.open = open;
        this.begin = begin;
        writer = Task.Run(Run);
    }

    public Task<int> Enqueue(Write write)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new Pending(write, done)))
            done.SetException(new ObjectDisposedException(nameof(WriteBatcher)));
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

    async Task<int[]> Commit(IReadOnlyList<Pending> items)
    {
        await using var connection = await open();
        await using var transaction = begin(connection);
        var results = new int[items.Count];
        for (int i = 0; i < items.Count; i++) results[i] = await items[i].Write(connection, transaction);
        await transaction.CommitAsync();
        return results;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }
}
