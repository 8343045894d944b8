using Study.Training.Losses;
using Study.Training.Trainer;
using Study.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>The per-epoch hardness statistics describe the loss being trained: its anchors, the negatives it sees
/// (2B − 2 batch views or N − 1 bank entries; the kept k for the hard losses) and its τ at that step; computed here by
/// hand in doubles.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class HardnessStatisticsTests
{
    static readonly Random Random = new(3);

    static double[][] Unit(int rows, int dimension) => [.. Enumerable.Range(0, rows).Select(_ =>
    {
        var r = Enumerable.Range(0, dimension).Select(_ => Random.NextDouble() * 2 - 1).ToArray();
        double n = Math.Sqrt(r.Sum(x => x * x));
        return r.Select(x => x / n).ToArray();
    })];

    static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    static Tensor Tensor(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }, dtype: ScalarType.Float64);

    /// <summary>Each anchor's (positive, mean of its 10 nearest negatives, entropy of r over the negatives its loss weighs).</summary>
    static (double, double, double) Expected(double positive, double[] negatives, LossSettings loss)
    {
        var sorted = negatives.OrderByDescending(s => s).ToArray();
        double nearest = sorted.Take(Math.Min(10, sorted.Length)).Average();
        var weighed = loss.Kind is LossKind.Hard or LossKind.HardSimple ? sorted.Take((int)loss.HardCount(sorted.Length)).ToArray() : sorted;
        double entropy;
        if (loss.Kind is LossKind.Simple or LossKind.HardSimple) entropy = Math.Log(weighed.Length);
        else
        {
            var w = weighed.Select(s => Math.Exp(s / loss.Temperature)).ToArray();
            double total = w.Sum();
            entropy = -w.Sum(x => x / total * Math.Log(x / total));
        }
        return (positive, nearest, entropy);
    }

    static void AssertAverages(List<(double P, double N, double E)> anchors, HardnessStatistics h)
    {
        Assert.Equal(anchors.Count, h.Anchors);
        Assert.Equal(anchors.Average(a => a.P), h.PositiveSimilarity, 6);
        Assert.Equal(anchors.Average(a => a.N), h.NearestNegativeSimilarity, 6);
        Assert.Equal(anchors.Average(a => a.E), h.PenaltyEntropy, 6);
    }

    [Theory]
    [InlineData(LossKind.InfoNce)]
    [InlineData(LossKind.Hard)]
    [InlineData(LossKind.Simple)]
    [InlineData(LossKind.HardSimple)]
    public void BatchStatisticsAreOverThe2BMinus2NegativesOfEachAnchor(LossKind kind)
    {
        const int b = 9;
        var loss = new LossSettings(kind, kind.UsesTau() ? 0.2 : null, 0.25, NegativeSource.Batch);
        var z1 = Unit(b, 5);
        var z2 = Unit(b, 5);
        var z = z1.Concat(z2).ToArray();
        var anchors = new List<(double, double, double)>();
        for (int a = 0; a < 2 * b; a++)
        {
            int positive = (a + b) % (2 * b);
            var negatives = Enumerable.Range(0, 2 * b).Where(k => k != a && k != positive).Select(k => Dot(z[a], z[k])).ToArray();
            anchors.Add(Expected(Dot(z[a], z[positive]), negatives, loss));
        }
        var hardness = new HardnessStatistics();
        using (ContrastiveLoss.Batch(Tensor(z1), Tensor(z2), loss, hardness)) { }
        AssertAverages(anchors, hardness);
    }

    [Theory]
    [InlineData(LossKind.InfoNce)]
    [InlineData(LossKind.Hard)]
    public void BankStatisticsAreOverTheNMinus1OtherBankEntries(LossKind kind)
    {
        const int b = 4, n = 40;
        var loss = new LossSettings(kind, 0.3, 0.1, NegativeSource.MemoryBank);
        var z = Unit(b, 6);
        var bank = Unit(n, 6);
        long[] rows = [3, 17, 0, 39];
        var anchors = new List<(double, double, double)>();
        for (int i = 0; i < b; i++)
        {
            // One view an image; its positive is its own bank entry (the positive similarity is z_iᵀv_i).
            var negatives = Enumerable.Range(0, n).Where(r => r != rows[i]).Select(r => Dot(z[i], bank[r])).ToArray();
            anchors.Add(Expected(Dot(z[i], bank[rows[i]]), negatives, loss));
        }
        var hardness = new HardnessStatistics();
        using (ContrastiveLoss.Bank(Tensor(z), Tensor(bank), tensor(rows), loss, hardness)) { }
        AssertAverages(anchors, hardness);
    }

    [Fact]
    public void StepsAddUpAndTheEntropyIsAtTheStepsTau()
    {
        var z1 = Unit(8, 4);
        var z2 = Unit(8, 4);
        var cold = new HardnessStatistics();
        var warm = new HardnessStatistics();
        var settings = new LossSettings(LossKind.InfoNce, 0.1, 1, NegativeSource.Batch);
        using (ContrastiveLoss.Batch(Tensor(z1), Tensor(z2), settings, cold)) { }
        using (ContrastiveLoss.Batch(Tensor(z1), Tensor(z2), settings with { Tau = 1.0 }, warm)) { }
        Assert.True(warm.PenaltyEntropy > cold.PenaltyEntropy);
        Assert.Equal(cold.PositiveSimilarity, warm.PositiveSimilarity, 9);
        using (ContrastiveLoss.Batch(Tensor(z1), Tensor(z2), settings with { Tau = 1.0 }, cold)) { }
        Assert.Equal(32, cold.Anchors);
    }

    [Fact]
    public void TheCosineScheduleGoesFromTauPlusToTauMinusAndBack()
    {
        var schedule = new TemperatureSchedule(TauScheduleKind.Cosine, 0.1, 1.0, PeriodEpochs: 4);
        Assert.Equal(1.0, schedule.At(0), 12);
        Assert.Equal(0.55, schedule.At(1), 12);
        Assert.Equal(0.1, schedule.At(2), 12);
        Assert.Equal(1.0, schedule.At(4), 12);
        Assert.Equal(schedule.At(1.3), schedule.At(5.3), 12);
        Assert.Equal(0.3, TemperatureSchedule.Constant(0.3).At(7.5));
    }
}
