using Study.Training.Losses;
using Study.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>Each loss of docs/LOSSES.md against its formula, computed here by hand in doubles.</summary>
[Trait(Tier.Key, Tier.Fast)]
public class LossTests
{
    const double Tau = 0.3;

    // Three images, two views each, D = 3 (normalised below).
    static readonly double[][] View1 = [[1, 0.2, 0], [0.1, 1, 0.3], [-0.5, 0.4, 1]];
    static readonly double[][] View2 = [[0.9, 0.4, 0.1], [0.3, 0.8, -0.2], [-0.2, 0.1, 1]];
    static readonly double[][] BankRows = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.6, 0.8, 0], [0, 0.6, -0.8]];
    static readonly long[] BankIndexOfImage = [3, 0, 4];

    [Theory]
    [InlineData(LossKind.InfoNce, 0.0819)]
    [InlineData(LossKind.Hard, 0.0819)]
    [InlineData(LossKind.Hard, 0.5)]
    [InlineData(LossKind.Simple, 0.0819)]
    [InlineData(LossKind.HardSimple, 0.0819)]
    [InlineData(LossKind.HardSimple, 0.6)]
    public void BatchLossMatchesTheFormula(LossKind kind, double alpha)
    {
        var settings = new LossSettings(kind, Tau, alpha, NegativeSource.Batch);
        var z = Normalise(View1).Concat(Normalise(View2)).ToArray();
        int b = View1.Length;
        double expected = 0;
        for (int a = 0; a < 2 * b; a++)
        {
            int positive = (a + b) % (2 * b);
            var negatives = Enumerable.Range(0, 2 * b).Where(k => k != a && k != positive).Select(k => Dot(z[a], z[k])).ToArray();
            expected += AnchorLoss(kind, alpha, Dot(z[a], z[positive]), negatives);
        }
        expected /= 2 * b;
        using var loss = ContrastiveLoss.Batch(Tensor(Normalise(View1)), Tensor(Normalise(View2)), settings);
        Assert.Equal(expected, loss.item<double>(), 9);
    }

    [Theory]
    [InlineData(LossKind.InfoNce)]
    [InlineData(LossKind.Hard)]
    [InlineData(LossKind.Simple)]
    [InlineData(LossKind.HardSimple)]
    public void BankLossMatchesTheFormula(LossKind kind)
    {
        const double alpha = 0.3; // n = 4 negatives per anchor: k = ⌈1.2⌉ = 2
        var settings = new LossSettings(kind, kind.UsesTau() ? Tau : null, alpha, NegativeSource.MemoryBank);
        var z = Normalise(View1);
        var bank = Normalise(BankRows);
        double expected = 0;
        for (int i = 0; i < z.Length; i++)
        {
            // InstDisc (docs/LOSSES.md): one view an image, its own bank entry the positive, every other entry a negative.
            var negatives = Enumerable.Range(0, bank.Length).Where(r => r != BankIndexOfImage[i]).Select(r => Dot(z[i], bank[r])).ToArray();
            expected += AnchorLoss(kind, alpha, Dot(z[i], bank[BankIndexOfImage[i]]), negatives);
        }
        expected /= z.Length;
        using var loss = ContrastiveLoss.Bank(Tensor(z), Tensor(bank), tensor(BankIndexOfImage), settings);
        Assert.Equal(expected, loss.item<double>(), 9);
    }

    /// <summary>
    /// The gradient of the mean bank loss with respect to each anchor z_i, by hand on a 4-image bank: for infonce and
    /// hard, (1/B) Σ_j (P_ij − [j = i]) v_j / τ over the positive and the negatives the loss weighs (docs/LOSSES.md:
    /// ∂L_i/∂s_ij = P_ij/τ, ∂L_i/∂s_ii = −(1 − P_ii)/τ); for the simple losses, (1/B)(−v_i + λ Σ_k v_k). The bank is
    /// given as a tensor that asks for a gradient, and gets none.
    /// </summary>
    [Theory]
    [InlineData(LossKind.InfoNce)]
    [InlineData(LossKind.Hard)]
    [InlineData(LossKind.Simple)]
    [InlineData(LossKind.HardSimple)]
    public void BankLossGradientOnAFourImageBankIsTheHandComputedOneAndNoneReachesTheBank(LossKind kind)
    {
        const double alpha = 0.5; // n = 3 negatives per anchor: k = 2
        double[][] bank = Normalise([[1, 0, 0], [0, 1, 0], [0.6, 0.8, 0], [0, 0.6, -0.8]]);
        long[] rows = [2, 0];
        var z = Normalise([[1, 0.2, 0], [0.1, 1, 0.3]]);
        var settings = new LossSettings(kind, kind.UsesTau() ? Tau : null, alpha, NegativeSource.MemoryBank);
        using var anchors = Tensor(z).requires_grad_();
        using var bankTensor = Tensor(bank).requires_grad_();
        using var loss = ContrastiveLoss.Bank(anchors, bankTensor, tensor(rows), settings);
        loss.backward();
        Assert.Null(bankTensor.grad);
        var gradient = anchors.grad!.data<double>().ToArray();
        for (int i = 0; i < z.Length; i++)
        {
            int own = (int)rows[i];
            var negatives = Enumerable.Range(0, bank.Length).Where(r => r != own).OrderByDescending(r => Dot(z[i], bank[r])).ToList();
            var weighed = kind is LossKind.Hard or LossKind.HardSimple ? negatives.Take(2).ToList() : negatives;
            var expected = new double[3];
            if (kind.UsesTau())
            {
                var members = weighed.Prepend(own).ToList();
                double total = members.Sum(r => Math.Exp(Dot(z[i], bank[r]) / Tau));
                foreach (var r in members)
                {
                    double weight = (Math.Exp(Dot(z[i], bank[r]) / Tau) / total - (r == own ? 1 : 0)) / Tau;
                    for (int d = 0; d < 3; d++) expected[d] += weight * bank[r][d];
                }
            }
            else
            {
                for (int d = 0; d < 3; d++) expected[d] = -bank[own][d] + weighed.Sum(r => bank[r][d]) / weighed.Count;
            }
            for (int d = 0; d < 3; d++) Assert.Equal(expected[d] / z.Length, gradient[i * 3 + d], 9);
        }
    }

    [Fact]
    public void TheBankUpdateMixesHalfOfEachStepsViewIntoItsImagesEntriesAndNothingElse()
    {
        double[][] vectors = Normalise([[1, 0, 0], [0, 1, 0], [0.6, 0.8, 0], [0, 0.6, -0.8]]);
        var z = Normalise([[1, 0.2, 0], [0.1, 1, 0.3]]);
        long[] rows = [3, 1];
        using var bank = new MemoryBank(Tensor(vectors));
        using var anchors = Tensor(z).requires_grad_();
        bank.Update(tensor(rows), anchors);
        Assert.False(bank.Vectors.requires_grad);
        var after = bank.Vectors.data<double>().ToArray();
        for (int r = 0; r < vectors.Length; r++)
        {
            int i = Array.IndexOf(rows, (long)r);
            var expected = i < 0 ? vectors[r] : Normalise([vectors[r].Zip(z[i], (v, x) => 0.5 * v + 0.5 * x).ToArray()])[0];
            for (int d = 0; d < 3; d++) Assert.Equal(expected[d], after[r * 3 + d], 12);
        }
    }

    [Theory]
    [InlineData(4095, 50_000, 4095)]
    [InlineData(4095, 100, 100)] // fewer negatives than K: all of them
    [InlineData(1, 510, 1)]
    public void AFixedHardCountKeepsExactlyKNegatives(long fixedCount, long n, long k) =>
        Assert.Equal(k, new LossSettings(LossKind.Hard, 1, 0.0819, NegativeSource.MemoryBank, fixedCount).HardCount(n));

    [Theory]
    [InlineData(0.0819, 50_000, 4095)]
    [InlineData(0.0819, 10, 1)]
    [InlineData(0.5, 10, 5)]
    [InlineData(0.01, 3, 1)]
    [InlineData(1.0, 7, 7)]
    [InlineData(0.1, 10, 1)] // ⌈0.1·10⌉ = 1 even though 0.1·10 is 1.0000000000000002 in binary
    public void HardCountIsCeilingOfAlphaN(double alpha, long n, long k) =>
        Assert.Equal(k, new LossSettings(LossKind.Hard, 1, alpha, NegativeSource.Batch).HardCount(n));

    [Fact]
    public void InfoNceGradientWithRespectToSimilaritiesIsTheBoltzmannWeightOverTau()
    {
        double[] negatives = [0.5, -0.2, 0.9, 0.1];
        double positiveValue = 0.7;
        var settings = new LossSettings(LossKind.InfoNce, Tau, 1, NegativeSource.Batch);
        using var candidates = tensor(negatives, new long[] { 1, negatives.Length }, dtype: ScalarType.Float64).requires_grad_();
        using var positive = tensor(new[] { positiveValue }, dtype: ScalarType.Float64).requires_grad_();
        using var excluded = zeros(1, negatives.Length, dtype: ScalarType.Bool);
        using var loss = ContrastiveLoss.PerAnchor(new AnchorSimilarities(positive, candidates, excluded, negatives.Length), settings);
        loss.sum().backward();
        double denominator = Math.Exp(positiveValue / Tau) + negatives.Sum(s => Math.Exp(s / Tau));
        var gradient = candidates.grad!.data<double>().ToArray();
        for (int j = 0; j < negatives.Length; j++)
            Assert.Equal(Math.Exp(negatives[j] / Tau) / denominator / Tau, gradient[j], 10);
        double pii = Math.Exp(positiveValue / Tau) / denominator;
        Assert.Equal(-(1 - pii) / Tau, positive.grad!.item<double>(), 10);
    }

    [Fact]
    public void PenaltyEntropyRisesWithTau()
    {
        using var generator = new Generator(7);
        using var candidates = rand(new long[] { 16, 40 }, generator: generator, dtype: ScalarType.Float64) * 2 - 1;
        using var excluded = zeros(16, 40, dtype: ScalarType.Bool);
        double previous = double.NegativeInfinity;
        foreach (var tau in new[] { 0.02, 0.05, 0.1, 0.3, 1.0, 3.0 })
        {
            using var entropy = ContrastiveLoss.PenaltyEntropy(new AnchorSimilarities(candidates.diagonal(), candidates, excluded, 40), new LossSettings(LossKind.InfoNce, tau, 1, NegativeSource.Batch));
            double mean = entropy.mean().item<double>();
            Assert.True(mean > previous, $"entropy at τ = {tau} ({mean}) is not above the one at the smaller τ ({previous})");
            Assert.InRange(mean, 0, Math.Log(40) + 1e-9);
            previous = mean;
        }
    }

    [Theory]
    [InlineData(0.6, new[] { 0.2, 0.9, -0.4 })] // hardest negative above the positive: τ·L → 0.3
    [InlineData(0.8, new[] { 0.2, 0.5, -0.4 })] // positive above every negative: τ·L → 0
    public void TauTimesLossTendsToTheHardestMargin(double positiveValue, double[] negatives)
    {
        double limit = Math.Max(negatives.Max() - positiveValue, 0);
        double previousGap = double.PositiveInfinity;
        foreach (var tau in new[] { 0.1, 0.01, 0.001 })
        {
            using var candidates = tensor(negatives, new long[] { 1, negatives.Length }, dtype: ScalarType.Float64);
            using var positive = tensor(new[] { positiveValue }, dtype: ScalarType.Float64);
            using var excluded = zeros(1, negatives.Length, dtype: ScalarType.Bool);
            using var loss = ContrastiveLoss.PerAnchor(new AnchorSimilarities(positive, candidates, excluded, negatives.Length), new LossSettings(LossKind.InfoNce, tau, 1, NegativeSource.Batch));
            double gap = Math.Abs(tau * loss.item<double>() - limit);
            Assert.True(gap <= previousGap + 1e-12);
            previousGap = gap;
        }
        Assert.True(previousGap < 2e-3, $"τ·L is {previousGap} away from its limit at τ = 0.001");
    }

    [Fact]
    public void BatchInfoNceFastPathEqualsTheGeneralFormulation()
    {
        using var generator = new Generator(3);
        using var z1 = nn.functional.normalize(randn(new long[] { 8, 5 }, generator: generator, dtype: ScalarType.Float64), dim: 1);
        using var z2 = nn.functional.normalize(randn(new long[] { 8, 5 }, generator: generator, dtype: ScalarType.Float64), dim: 1);
        var settings = new LossSettings(LossKind.InfoNce, 0.1, 1, NegativeSource.Batch);
        using var fast = ContrastiveLoss.Batch(z1, z2, settings);
        using var z = cat(new[] { z1, z2 }, 0);
        using var similarities = z.mm(z.t());
        using var pairs = ContrastiveLoss.PairIndex(8, CPU);
        using var positive = similarities.gather(1, pairs.unsqueeze(1)).squeeze(1);
        using var excluded = ContrastiveLoss.BatchExclusions(8, CPU);
        using var general = ContrastiveLoss.PerAnchor(new AnchorSimilarities(positive, similarities, excluded, 14), settings);
        Assert.Equal(general.mean().item<double>(), fast.item<double>(), 10);
    }

    static double AnchorLoss(LossKind kind, double alpha, double positive, double[] negatives)
    {
        int k = (int)Math.Max(1, Math.Ceiling(alpha * negatives.Length - 1e-9));
        var hardest = negatives.OrderByDescending(s => s).Take(k).ToArray();
        return kind switch
        {
            LossKind.InfoNce => -Math.Log(Math.Exp(positive / Tau) / (Math.Exp(positive / Tau) + negatives.Sum(s => Math.Exp(s / Tau)))),
            LossKind.Hard => -Math.Log(Math.Exp(positive / Tau) / (Math.Exp(positive / Tau) + hardest.Sum(s => Math.Exp(s / Tau)))),
            LossKind.Simple => -positive + negatives.Sum() / negatives.Length,
            LossKind.HardSimple => -positive + hardest.Sum() / k,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    static double[][] Normalise(double[][] rows) =>
        rows.Select(r => { var n = Math.Sqrt(r.Sum(x => x * x)); return r.Select(x => x / n).ToArray(); }).ToArray();

    static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    static Tensor Tensor(double[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }, dtype: ScalarType.Float64);
}
