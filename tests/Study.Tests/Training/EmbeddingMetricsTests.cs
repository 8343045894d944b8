using Study.Training.Evaluation;
using Study.Training.Randomness;
using Study.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

[Trait(Tier.Key, Tier.Fast)]
public class EmbeddingMetricsTests
{
    static Tensor Rows(params double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }, dtype: ScalarType.Float32);

    [Fact]
    public void UniformityOfFourPointsOnACircle()
    {
        // Adjacent pairs (4) are √2 apart, opposite pairs (2) are 2 apart.
        using var z = Rows([1, 0], [0, 1], [-1, 0], [0, -1]);
        double expected = -Math.Log((4 * Math.Exp(-2 * 2) + 2 * Math.Exp(-2 * 4)) / 6);
        Assert.Equal(expected, EmbeddingMetrics.Uniformity(z), 5);
    }

    [Fact]
    public void UniformityOfIdenticalPointsIsZeroAndOfAntipodalPairIsEight()
    {
        using var same = Rows([0.6, 0.8], [0.6, 0.8], [0.6, 0.8]);
        Assert.Equal(0, EmbeddingMetrics.Uniformity(same), 5);
        using var opposite = Rows([1, 0], [-1, 0]);
        Assert.Equal(8, EmbeddingMetrics.Uniformity(opposite), 5);
    }

    [Fact]
    public void UniformityIsChunkedWithoutChangingTheValue()
    {
        // More rows than one chunk (1024), against a direct double-precision sum.
        using var g = new Generator(5);
        using var z = nn.functional.normalize(randn(new long[] { 1500, 8 }, generator: g), dim: 1);
        var rows = z.to_type(ScalarType.Float64).data<double>().ToArray();
        double sum = 0; long pairs = 0;
        for (int i = 0; i < 1500; i++)
            for (int j = i + 1; j < 1500; j++)
            {
                double d2 = 0;
                for (int k = 0; k < 8; k++) { var d = rows[i * 8 + k] - rows[j * 8 + k]; d2 += d * d; }
                sum += Math.Exp(-2 * d2); pairs++;
            }
        Assert.Equal(-Math.Log(sum / pairs), EmbeddingMetrics.Uniformity(z), 4);
    }

    [Fact]
    public void ToleranceIsTheMeanSameLabelSimilarity()
    {
        // Label 0: one pair at 0.6; label 1: one pair at 1.0; label 2 has a single member and no pair.
        using var z = Rows([1, 0], [0.6, 0.8], [0, 1], [0, 1], [-1, 0]);
        Assert.Equal(0.8, EmbeddingMetrics.Tolerance(z, [0, 0, 1, 1, 2]), 6);
    }

    [Fact]
    public void ToleranceWeighsEveryPairEqually()
    {
        // Label 0 has 3 members (6 ordered pairs, all at 1), label 1 has 2 at −1 (2 ordered pairs).
        using var z = Rows([1, 0], [1, 0], [1, 0], [0, 1], [0, -1]);
        Assert.Equal((6 * 1.0 + 2 * -1.0) / 8, EmbeddingMetrics.Tolerance(z, [0, 0, 0, 1, 1]), 6);
    }

    [Fact]
    public void AlignmentIsTheMeanSquaredDistanceOfViews()
    {
        using var a = Rows([1, 0], [0, 1], [0.6, 0.8]);
        using var b = Rows([0, 1], [0, 1], [0.6, 0.8]);
        Assert.Equal((2 + 0 + 0) / 3.0, EmbeddingMetrics.Alignment(a, b), 6);
    }

    [Fact]
    public void KnnAndLinearProbeClassifySeparableClusters()
    {
        using var g = new Generator(11);
        using var centres = nn.functional.normalize(randn(new long[] { 4, 16 }, generator: g), dim: 1);
        Tensor Sample(int n, out Tensor labels)
        {
            labels = randint(4, new long[] { n }, dtype: ScalarType.Int64, generator: g);
            return nn.functional.normalize(centres.index_select(0, labels) + randn(new long[] { n, 16 }, generator: g) * 0.05, dim: 1);
        }
        using var bank = Sample(400, out var bankLabels);
        using var queries = Sample(100, out var queryLabels);
        Assert.Equal(1.0, KnnClassifier.Accuracy(bank, bankLabels, 4, queries, queryLabels, k: 20));
        using var probeRandom = new TrialRandom(11);
        using var probe = LinearProbe.Fit(bank, bankLabels, 4, probeRandom);
        Assert.Equal(1.0, probe.Accuracy(queries, queryLabels));
        bankLabels.Dispose(); queryLabels.Dispose();
    }

    [Fact]
    public void KnnVotesAreWeightedByExpSimilarityOverTemperature()
    {
        // The query matches the label-0 row exactly (s = 1) and two label-1 rows at s = 0.8.
        // T = 0.1: e^10 > 2·e^8, label 0 wins. T = 1: e^1 < 2·e^0.8, label 1 wins.
        using var bank = Rows([1, 0], [0.8, 0.6], [0.8, -0.6]);
        using var bankLabels = tensor(new long[] { 0, 1, 1 });
        using var query = Rows([1, 0]);
        using var label = tensor(new long[] { 0 });
        Assert.Equal(1.0, KnnClassifier.Accuracy(bank, bankLabels, 2, query, label, k: 3, temperature: 0.1));
        Assert.Equal(0.0, KnnClassifier.Accuracy(bank, bankLabels, 2, query, label, k: 3, temperature: 1.0));
    }
}
