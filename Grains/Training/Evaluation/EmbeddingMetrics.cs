using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Evaluation;

/// <summary>
/// Embedding metrics of docs/METRICS.md on L2-normalised projections z (rows). Pairwise sums are computed in row chunks,
/// so memory stays O(chunk × N) whatever N is.
/// </summary>
public static class EmbeddingMetrics
{
    const int Chunk = 1024;

    /// <summary>−log mean_{i&lt;j} exp(−2‖z_i − z_j‖²): higher is more uniform (at most about 4).</summary>
    public static double Uniformity(Tensor z)
    {
        long n = z.shape[0];
        if (n < 2) throw new ArgumentException("uniformity needs at least two embeddings");
        using var noGrad = no_grad();
        using var zd = z.to_type(ScalarType.Float64);
        double total = 0;
        for (long start = 0; start < n; start += Chunk)
        {
            using var scope = NewDisposeScope();
            var rows = zd.narrow(0, start, Math.Min(Chunk, n - start));
            // ‖a − b‖² from the Gram matrix, so it also holds for rows that are not exactly unit length.
            var squared = rows.pow(S(2)).sum(1, keepdim: true).add(zd.pow(S(2)).sum(1).unsqueeze(0), One) - rows.mm(zd.t()).mul(S(2));
            total += squared.clamp_min(S(0)).mul(S(-2)).exp().sum().item<double>();
        }
        // The diagonal contributes exp(0) = 1 for each row; every unordered pair is counted twice.
        double mean = (total - n) / ((double)n * (n - 1));
        return -Math.Log(mean);
    }

    /// <summary>Mean of z_iᵀz_j over the ordered pairs i ≠ j with the same label.</summary>
    public static double Tolerance(Tensor z, long[] labels)
    {
        using var noGrad = no_grad();
        using var zd = z.to_type(ScalarType.Float64);
        double sum = 0, pairs = 0;
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]))
        {
            var members = group.Select(i => (long)i).ToArray();
            if (members.Length < 2) continue;
            using var scope = NewDisposeScope();
            var rows = zd.index_select(0, tensor(members, device: zd.device));
            var total = rows.sum(new long[] { 0 });
            // Σ_{i≠j} z_iᵀz_j = ‖Σ z_i‖² − Σ ‖z_i‖²
            sum += total.dot(total).item<double>() - rows.pow(S(2)).sum().item<double>();
            pairs += (double)members.Length * (members.Length - 1);
        }
        if (pairs == 0) throw new ArgumentException("tolerance needs at least two embeddings of one label");
        return sum / pairs;
    }

    /// <summary>Mean ‖z(view 1) − z(view 2)‖² over the images.</summary>
    public static double Alignment(Tensor z1, Tensor z2)
    {
        using var noGrad = no_grad();
        using var difference = z1.to_type(ScalarType.Float64) - z2.to_type(ScalarType.Float64);
        using var squared = difference.pow(S(2)).sum(1);
        return squared.mean().item<double>();
    }
}
