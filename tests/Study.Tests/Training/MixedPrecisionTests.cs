using Study.Training.Augmentation;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using Study.Training.Trainer;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>bf16 compute with fp32 master weights, by hand (TorchSharp 0.107 has no autocast).</summary>
public class MixedPrecisionTests
{
    /// <summary>One step of ResNet-18 (batch norm) in bf16: the fp32 master weights get an fp32 gradient that points
    /// where the fp32 step's does, the optimiser moves them, and the batch-norm statistics the bf16 twin gathered reach
    /// the master (which is what is evaluated and checkpointed).</summary>
    [Theory]
    [InlineData(EncoderKind.ResNet18, 3, 32)]
    [InlineData(EncoderKind.CnnSmall, 1, 28)]
    public void AStepGivesTheFp32MasterItsGradientAndBatchNormStatistics(EncoderKind encoder, int channels, int size)
    {
        using var images = new TrialRandom(3).Uniform([8, channels, size, size], CPU);
        var fp32 = OneStep(encoder, images, mixed: false);
        var bf16 = OneStep(encoder, images, mixed: true);
        Assert.Equal(ScalarType.Float32, bf16.Gradient.dtype);
        using var cosine = (fp32.Gradient * bf16.Gradient).sum() / (fp32.Gradient.norm() * bf16.Gradient.norm());
        // At initialisation every embedding is nearly the same vector, so the loss's gradient is a small difference of
        // near-equal similarities, which bf16 rounds: measured here 0.97 (cnn-small) and 0.94 (ResNet-18). A gradient
        // that did not come from the bf16 pass (none, stale or another batch's) would be near 0.
        Assert.True(cosine.item<float>() > 0.9f, $"cosine {cosine.item<float>()}");
        Assert.Equal(fp32.Moved, bf16.Moved);
        if (bf16.RunningMean is { } mean)
        {
            Assert.True(mean.abs().sum().item<float>() > 0, "the master's batch-norm statistics did not move");
            Assert.True(mean.allclose(fp32.RunningMean!, rtol: 0.05, atol: 0.01));
        }
        foreach (var t in new[] { fp32.Gradient, bf16.Gradient, fp32.RunningMean, bf16.RunningMean }) t?.Dispose();
    }

    sealed record Step(Tensor Gradient, long Moved, Tensor? RunningMean);

    static Step OneStep(EncoderKind encoder, Tensor images, bool mixed)
    {
        using var random = new TrialRandom(9);
        using var model = ContrastiveModel.Create(encoder, ProjectionHeadKind.Mlp, (int)images.shape[1], random, CPU);
        List<Tensor> before = [.. model.parameters().Select(p => p.detach().clone())];
        using var optimizer = TrainingStep.CreateOptimizer(model, new TrainingOptions());
        using var precision = mixed ? new MixedPrecision(model, CPU) : null;
        var step = new TrainingStep(model, optimizer, new ContrastiveAugmentation(rgb: images.shape[1] == 3),
            new LossSettings(LossKind.InfoNce, 0.2, 0.1, NegativeSource.Batch), bank: null, precision);
        model.train();
        using var rows = arange(8L, dtype: ScalarType.Int64);
        Assert.True(float.IsFinite(step.Run(images, rows, new TrialRandom(5))));
        var parameters = model.parameters().ToList();
        var gradient = cat(parameters.Select(p => p.grad!.flatten()).ToList(), 0);
        long moved = parameters.Zip(before).Count(pair => !pair.First.detach().equal(pair.Second).all().item<bool>());
        foreach (var t in before) t.Dispose();
        return new Step(gradient, moved, model.buffers().FirstOrDefault(b => b.is_floating_point())?.clone());
    }
}
