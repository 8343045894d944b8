using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Evaluation;

/// <summary>
/// Weighted kNN on normalised features (docs/METRICS.md, as in InstDisc): the k most similar bank rows vote for their
/// label with weight exp(s / T). Queries are scored in chunks, so the similarity matrix never exceeds chunk × N.
/// </summary>
public static class KnnClassifier
{
    public const int DefaultK = 200;
    public const double DefaultTemperature = 0.1;

    /// <returns>the fraction of queries whose predicted label equals their label</returns>
    public static double Accuracy(Tensor bank, Tensor bankLabels, int classes, Tensor queries, Tensor queryLabels,
        int k = DefaultK, double temperature = DefaultTemperature, int chunk = 512)
    {
        using var noGrad = no_grad();
        long n = queries.shape[0];
        int kk = (int)Math.Min(k, bank.shape[0]);
        long correct = 0;
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(chunk, n - start);
            var similarities = queries.narrow(0, start, size).mm(bank.t());
            var (top, rows) = similarities.topk(kk, dim: 1);
            var weights = top.div(S(temperature)).exp();
            var votes = zeros(size, classes, device: bank.device)
                .scatter_add_(1, bankLabels.index_select(0, rows.flatten()).view(size, kk), weights);
            var predicted = votes.argmax(1);
            correct += predicted.eq(queryLabels.narrow(0, start, size)).sum().item<long>();
        }
        return (double)correct / n;
    }
}
