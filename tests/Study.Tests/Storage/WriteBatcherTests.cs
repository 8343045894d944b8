using System.Data.Common;
using Microsoft.Data.Sqlite;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Storage;

/// <summary>Issue 23: the store's write queue had no bound, and a batch that failed because the database could not be
/// reached was retried write by write, each waiting out its own failure.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class WriteBatcherTests
{
    static DbTransaction Begin(DbConnection c) => c.BeginTransaction();

    static Task<int> Noop(DbConnection c, DbTransaction t) => Task.FromResult(1);

    [Fact]
    public async Task WhenTheDatabaseCannotBeReachedABatchFailsAtOnceNotWriteByWrite()
    {
        int opens = 0;
        var gate = new TaskCompletionSource();
        await using var batcher = new WriteBatcher(async () =>
        {
            Interlocked.Increment(ref opens);
            await gate.Task;
            throw new TimeoutException("no database (injected)");
        }, Begin);
        var first = batcher.Enqueue(Noop); // the writer takes it and waits in open
        var writes = Enumerable.Range(0, 200).Select(_ => batcher.Enqueue(Noop)).ToList();
        gate.SetResult();
        foreach (var write in writes.Prepend(first))
            Assert.Equal("no database (injected)", (await Assert.ThrowsAsync<TimeoutException>(() => write)).Message);
        Assert.True(opens <= 2, $"{opens} connection attempts for 2 batches");
    }

    [Fact]
    public async Task PastItsCapacityAWriteFailsAtOnceAndTheOthersAreKept()
    {
        var gate = new TaskCompletionSource();
        var file = Path.Combine(Path.GetTempPath(), $"study-batcher-{Guid.NewGuid():n}.db");
        try
        {
            await using (var batcher = new WriteBatcher(async () =>
            {
                await gate.Task;
                var connection = new SqliteConnection($"Data Source={file};Pooling=False");
                await connection.OpenAsync();
                return connection;
            }, Begin, capacity: 10))
            {
                var first = batcher.Enqueue(Noop);
                await Task.Delay(200); // the writer holds the first write, waiting for the database
                var queued = Enumerable.Range(0, 10).Select(_ => batcher.Enqueue(Noop)).ToList();
                var refused = batcher.Enqueue(Noop);
                Assert.True(refused.IsFaulted);
                Assert.Contains("the store is not keeping up: 10 writes are waiting", refused.Exception!.InnerException!.Message);
                gate.SetResult();
                Assert.Equal(1, await first);
                foreach (var write in queued) Assert.Equal(1, await write);
            }
        }
        finally { File.Delete(file); }
    }
}
