using Study.Training.Data;

namespace Study.Grains.Running;

/// <summary>Each dataset loaded once per silo and shared, read-only, by every trial that runs there; a load that
/// failed is tried again by the next trial that asks.</summary>
public sealed class DatasetCache : IDisposable
{
    readonly Dictionary<(string, string?, long), Lazy<(ImageSet Train, ImageSet Test)>> sets = new();

    public (ImageSet Train, ImageSet Test) Get(string dataset, string? dataDir, long seed)
    {
        // Only synthetic data depends on the seed.
        var key = (dataset, dataDir, dataset == "synthetic" ? seed : 0);
        Lazy<(ImageSet, ImageSet)> lazy;
        lock (sets)
        {
            if (!sets.TryGetValue(key, out lazy!))
                sets[key] = lazy = new Lazy<(ImageSet, ImageSet)>(() => DatasetCatalog.Load(dataset, dataDir, seed));
        }
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A Lazy keeps its exception for good: forget a failed load so that the next trial reads the files again
            // (a transient I/O error must not fail every later trial on this silo).
            lock (sets)
                if (sets.TryGetValue(key, out var current) && ReferenceEquals(current, lazy)) sets.Remove(key);
            throw;
        }
    }

    public void Dispose()
    {
        lock (sets)
            foreach (var lazy in sets.Values.Where(l => l.IsValueCreated))
            {
                lazy.Value.Train.Dispose();
                lazy.Value.Test.Dispose();
            }
    }
}
