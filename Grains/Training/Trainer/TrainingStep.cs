using Study.Training.Augmentation;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>
/// One optimisation step, the unit `study bench` times: augment both views, forward both in one batch, the loss,
/// backward, the optimiser step, and the memory-bank update. Synchronous; every tensor it makes is disposed. With
/// <paramref name="mixed"/>, the forward and backward passes run in bf16 (<see cref="MixedPrecision"/>).
/// </summary>
public sealed class TrainingStep(ContrastiveModel model, optim.Optimizer optimizer, ContrastiveAugmentation augmentation,
    LossSettings loss, MemoryBank? bank, MixedPrecision? mixed = null)
{
    /// <param name="images">float [B, C, H, W] in [0, 1] on the model's device</param>
    /// <param name="bankRows">each image's row in the memory bank [B], on the model's device (ignored with batch negatives)</param>
    /// <param name="tau">the step's τ, where a schedule moves it; null: the loss settings' own</param>
    /// <param name="hardness">when given, gets the step's anchors (the epoch's hardness statistics)</param>
    /// <returns>the step's loss</returns>
    public float Run(Tensor images, Tensor bankRows, TrialRandom random, double? tau = null, HardnessStatistics? hardness = null)
    {
        using var scope = NewDisposeScope();
        var settings = tau is null ? loss : loss with { Tau = tau };
        var view1 = augmentation.Apply(images, random);
        var view2 = augmentation.Apply(images, random);
        var views = cat(new[] { view1, view2 }, 0);
        var z = mixed is null ? model.forward(views) : mixed.Forward(views);
        var halves = z.chunk(2, 0);
        var value = bank is null
            ? ContrastiveLoss.Batch(halves[0], halves[1], settings, hardness)
            : ContrastiveLoss.Bank(halves[0], halves[1], bank.Vectors, bankRows, settings, hardness);
        optimizer.zero_grad();
        mixed?.ZeroGradients();
        value.backward();
        mixed?.ToMaster();
        optimizer.step();
        bank?.Update(bankRows, halves[0]);
        return value.item<float>();
    }

    public void SetLearningRate(double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    public static optim.Optimizer CreateOptimizer(ContrastiveModel model, TrainingOptions options) => options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(model.parameters(), options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{options.Optimizer}'"),
    };
}
