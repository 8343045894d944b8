using Study.Training.Randomness;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Data;

/// <summary>
/// Generated, class-structured 28×28 grayscale images for tests and demos: each class is a fixed arrangement of
/// Gaussian blobs; a sample is its class pattern shifted by a few pixels, scaled in intensity and noised.
/// Deterministic per seed; generated on tensors in well under a second.
/// </summary>
public static class SyntheticDataset
{
    public const int Classes = 10;
    public const int TrainCount = 10_000;
    public const int TestCount = 2_000;
    const int Size = 28;
    const int BlobsPerClass = 3;

    public static (ImageSet Train, ImageSet Test) Generate(long seed)
    {
        using var random = new TrialRandom(seed);
        using var prototypes = Prototypes(random);
        return (Sample("synthetic", prototypes, TrainCount, random), Sample("synthetic", prototypes, TestCount, random));
    }

    /// <summary>[Classes, 28, 28] patterns in [0, 1].</summary>
    static Tensor Prototypes(TrialRandom g)
    {
        using var scope = NewDisposeScope();
        var coords = arange(S(0), S(Size), S(1), dtype: ScalarType.Float32);
        var ys = coords.view(1, 1, Size, 1);
        var xs = coords.view(1, 1, 1, Size);
        var centres = g.Uniform(new long[] { Classes, BlobsPerClass, 2 }, CPU).mul(S(18f)).add(S(5f), One);
        var widths = g.Uniform(new long[] { Classes, BlobsPerClass }, CPU).mul(S(3f)).add(S(1.5f), One);
        var cy = centres.select(2, 0).view(Classes, BlobsPerClass, 1, 1);
        var cx = centres.select(2, 1).view(Classes, BlobsPerClass, 1, 1);
        var w = widths.view(Classes, BlobsPerClass, 1, 1);
        var blobs = exp(-(ys - cy).pow(S(2)).add((xs - cx).pow(S(2)), One) / w.pow(S(2)).mul(S(2)));
        var patterns = blobs.sum(1);
        patterns = patterns / patterns.amax(new long[] { 1, 2 }, keepdim: true);
        return patterns.MoveToOuterDisposeScope();
    }

    static ImageSet Sample(string name, Tensor prototypes, int count, TrialRandom g)
    {
        using var scope = NewDisposeScope();
        var labels = g.Integers(Classes, new long[] { count }, CPU);
        var images = prototypes.index_select(0, labels).unsqueeze(1);
        // A per-sample shift of up to ±3 pixels, applied by resampling.
        var shift = g.Uniform(new long[] { count, 2 }, CPU).mul(S(2)).sub(S(1)).mul(S(3f * 2 / Size));
        var theta = zeros(count, 2, 3);
        theta[.., 0, 0] = ones(count);
        theta[.., 1, 1] = ones(count);
        theta[.., 0, 2] = shift[.., 0];
        theta[.., 1, 2] = shift[.., 1];
        var grid = nn.functional.affine_grid(theta, new long[] { count, 1, Size, Size }, align_corners: false);
        images = nn.functional.grid_sample(images, grid, align_corners: false);
        var intensity = g.Uniform(new long[] { count, 1, 1, 1 }, CPU).mul(S(0.4f)).add(S(0.6f), One);
        var noise = g.Normal(new long[] { count, 1, Size, Size }, CPU).mul(S(0.08f));
        var pixels = (images * intensity).add(noise, One).clamp(S(0), S(1)).mul(S(255)).round().to_type(ScalarType.Byte);
        var labelArray = labels.data<long>().ToArray();
        return new ImageSet(name, pixels.MoveToOuterDisposeScope(), labelArray, Classes);
    }
}
