using Study.Training.Augmentation;
using Study.Training.Models;
using Study.Training.Randomness;
using Study.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

[Trait(Tier.Key, Tier.Fast)]
public class ModelTests
{
    [Fact]
    public void CnnSmallHasTheShapesOfSpec()
    {
        using var g = new TrialRandom(1);
        using var model = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, g, CPU);
        using var x = g.Uniform(new long[] { 5, 1, 28, 28 }, CPU);
        using var h = model.Encode(x);
        using var z = model.Project(h);
        Assert.Equal(new long[] { 5, 128 }, h.shape);
        Assert.Equal(new long[] { 5, 64 }, z.shape);
        using var norms = z.norm(1);
        Assert.All(norms.data<float>().ToArray(), n => Assert.Equal(1f, n, 5));
        // Parameters: conv 1→32, 32→64, 64→128 (3×3, biased), head 128→128→64.
        long expected = (9 * 1 * 32 + 32) + (9 * 32 * 64 + 64) + (9 * 64 * 128 + 128) + (128 * 128 + 128) + (128 * 64 + 64);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ResNet18TakesRgbAndGivesA512DimensionalFeature()
    {
        using var g = new TrialRandom(1);
        using var model = ContrastiveModel.Create(EncoderKind.ResNet18, ProjectionHeadKind.Mlp, 3, g, CPU);
        using var x = g.Uniform(new long[] { 2, 3, 32, 32 }, CPU);
        using var h = model.Encode(x);
        Assert.Equal(new long[] { 2, 512 }, h.shape);
        Assert.Equal(new long[] { 2, 128 }, model.forward(x).shape);
    }

    [Fact]
    public void InferencePoolingGivesExactlyTheTrainingForward()
    {
        using var g = new TrialRandom(2);
        using var model = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, g, CPU);
        using var x = g.Uniform(new long[] { 7, 1, 28, 28 }, CPU);
        using var withGrad = model.Encode(x);
        using var noGrad = no_grad();
        using var without = model.Encode(x);
        Assert.True(withGrad.detach().equal(without).all().item<bool>());
    }

    [Fact]
    public void WeightsDependOnlyOnTheTrialRandomStream()
    {
        using var g1 = new TrialRandom(9);
        using var a = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, g1, CPU);
        manual_seed(12345); // the process-wide generator must not matter
        using var g2 = new TrialRandom(9);
        using var b = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, g2, CPU);
        foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            Assert.True(pa.equal(pb).all().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AugmentationIsPerSampleDeterministicAndInRange(bool rgb)
    {
        int channels = rgb ? 3 : 1;
        using var g = new TrialRandom(4);
        using var images = g.Uniform(new long[] { 16, channels, 28, 28 }, CPU);
        var augmentation = new ContrastiveAugmentation(rgb);
        using var g1 = new TrialRandom(77);
        using var g2 = new TrialRandom(77);
        using var a = augmentation.Apply(images, g1);
        using var b = augmentation.Apply(images, g2);
        using var c = augmentation.Apply(images, g1);
        Assert.Equal(images.shape, a.shape);
        Assert.True(a.equal(b).all().item<bool>(), "same random state, same views");
        Assert.False(a.equal(c).all().item<bool>(), "the next draw gives other views");
        Assert.InRange(a.min().item<float>(), 0f, 1f);
        Assert.InRange(a.max().item<float>(), 0f, 1f);
        // Per sample: two images of one batch are not transformed alike (their difference from the input differs).
        using var change = (a - images).abs().mean(new long[] { 1, 2, 3 });
        Assert.True(change.std().item<float>() > 1e-3);
    }

    [Fact]
    public void AugmentationFlipsAndCropsLikeTheAffineMapSays()
    {
        // A left-half-bright image: a flipped view is brighter on the right; the mean stays near the input's.
        using var image = zeros(1, 1, 28, 28);
        image[.., .., .., TensorIndex.Slice(0, 14)] = ones(1, 1, 28, 14);
        using var batch = image.expand(64, 1, 28, 28).contiguous();
        using var g = new TrialRandom(5);
        using var views = new ContrastiveAugmentation(false).Apply(batch, g);
        using var left = views[.., .., .., TensorIndex.Slice(0, 14)].mean(new long[] { 1, 2, 3 });
        using var right = views[.., .., .., TensorIndex.Slice(14, 28)].mean(new long[] { 1, 2, 3 });
        int flipped = left.lt(right).sum().item<long>() is var f ? (int)f : 0;
        Assert.InRange(flipped, 16, 48); // p = 0.5 of 64
    }
}
