namespace Study.Training.Data;

/// <summary>
/// How a study divides its data (docs/TRAINING.md): a seeded validation split held out of the labelled training images,
/// the training images used (all the rest, or <c>--subset</c> of them), and the evaluated test images. The split
/// seed is the study's, so every trial of a study sees the same split.
/// </summary>
public sealed class DataSplits : IDisposable
{
    public const int ValidationSize = 5_000;

    readonly bool ownsImages;

    /// <param name="ownsImages">whether disposing the splits disposes the image sets (false when they are shared)</param>
    public DataSplits(ImageSet train, ImageSet test, long splitSeed, int? subset, int? evalSubset, bool ownsImages = true)
    {
        this.ownsImages = ownsImages;
        Train = train;
        Test = test;
        var rng = new Random(unchecked((int)splitSeed * 7919 + 17));
        var order = Permutation(train.Count, rng);
        int validation = Math.Min(ValidationSize, train.Count / 5);
        Validation = order[..validation];
        var pool = order[validation..];
        if (subset is { } n && n > pool.Length)
            throw new ArgumentException($"--subset {n} is more than the {pool.Length} training images left after the validation split");
        Training = subset is { } s ? pool[..s] : pool;
        var testOrder = Permutation(test.Count, rng);
        if (evalSubset is { } e && e > test.Count)
            throw new ArgumentException($"--eval-subset {e} is more than the {test.Count} test images");
        Evaluated = evalSubset is { } k ? testOrder[..k] : [.. Enumerable.Range(0, test.Count).Select(i => (long)i)];
    }

    public ImageSet Train { get; }
    public ImageSet Test { get; }
    /// <summary>Indices into <see cref="Train"/> of the validation split.</summary>
    public long[] Validation { get; }
    /// <summary>Indices into <see cref="Train"/> of the images trained on; also the labelled bank of kNN and probe.</summary>
    public long[] Training { get; }
    /// <summary>Indices into <see cref="Test"/> of the evaluated test images.</summary>
    public long[] Evaluated { get; }

    static long[] Permutation(int n, Random rng)
    {
        var p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    public void Dispose()
    {
        if (!ownsImages) return;
        Train.Dispose();
        Test.Dispose();
    }
}
