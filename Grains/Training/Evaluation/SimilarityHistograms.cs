using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Evaluation;

/// <summary>
/// The paper's similarity picture for one trial: histograms over [−1, 1] of each image's positive similarity
/// (its two views) and of its 10 nearest negative similarities (other images, first views).
/// </summary>
public sealed record SimilarityHistograms(
    double[] BinEdges, long[] Positive, long[] NearestNegatives, double PositiveMean, double NearestNegativeMean)
{
    public const int Bins = 50;
    public const int NearestCount = 10;

    public static SimilarityHistograms Compute(Tensor view1, Tensor view2, int chunk = 1024)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var positive = (view1 * view2).sum(1);
        var nearest = NearestNegativeSimilarities(view1, NearestCount, chunk);
        var edges = Enumerable.Range(0, Bins + 1).Select(i => -1.0 + 2.0 * i / Bins).ToArray();
        return new SimilarityHistograms(edges, Histogram(positive), Histogram(nearest),
            positive.mean().item<float>(), nearest.mean().item<float>());
    }

    /// <summary>[N, k]: each row's k largest similarities to the other rows.</summary>
    public static Tensor NearestNegativeSimilarities(Tensor z, int k, int chunk = 1024)
    {
        long n = z.shape[0];
        int kk = (int)Math.Min(k, n - 1);
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += chunk)
        {
            long size = Math.Min(chunk, n - start);
            using var similarities = z.narrow(0, start, size).mm(z.t());
            using var self = arange(S(start), S(start + size), S(1), dtype: ScalarType.Int64, device: z.device).unsqueeze(1);
            using var masked = similarities.scatter(1, self, full(new[] { size, 1L }, S(double.NegativeInfinity), device: z.device));
            parts.Add(masked.topk(kk, dim: 1).values);
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    static long[] Histogram(Tensor values)
    {
        using var clamped = values.flatten().clamp(S(-1), S(1)).to_type(ScalarType.Float64).cpu();
        var counts = new long[Bins];
        foreach (var v in clamped.data<double>())
            counts[Math.Min(Bins - 1, (int)((v + 1) / 2 * Bins))]++;
        return counts;
    }
}
