using Study.Training.Augmentation;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>
/// One optimisation step, the unit `study bench` times: augment both views and forward both in one batch (batch
/// negatives), or one view (a memory bank); the loss, backward, the optimiser step, and the memory-bank update. Synchronous; every tensor it makes is disposed. With
/// <paramref name="mixed"/>, the forward and backward passes run in bf16 (<see cref="MixedPrecision"/>); with
/// <paramref name="profile"/>, each part is timed.
/// </summary>
public sealed class TrainingStep(ContrastiveModel model, optim.Optimizer optimizer, ContrastiveAugmentation augmentation,
    LossSettings loss, MemoryBank? bank, MixedPrecision? mixed = null, TrialProfile? profile = null)
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
        Tensor value;
        Tensor? anchors = null;
        if (bank is null)
        {
            Tensor views, projected;
            using (profile.Time(TrialPhase.Augment)) views = cat(new[] { augmentation.Apply(images, random), augmentation.Apply(images, random) }, 0);
            using (profile.Time(TrialPhase.Forward)) projected = Project(views);
            using (profile.Time(TrialPhase.Loss))
            {
                var halves = projected.chunk(2, 0);
                value = ContrastiveLoss.Batch(halves[0], halves[1], settings, hardness);
            }
        }
        else
        {
            // InstDisc: one view an image, against the bank (docs/LOSSES.md).
            Tensor view;
            using (profile.Time(TrialPhase.Augment)) view = augmentation.Apply(images, random);
            using (profile.Time(TrialPhase.Forward)) anchors = Project(view);
            using (profile.Time(TrialPhase.Loss)) value = ContrastiveLoss.Bank(anchors, bank.Vectors, bankRows, settings, hardness);
        }
        using (profile.Time(TrialPhase.Backward))
        {
            optimizer.zero_grad();
            mixed?.ZeroGradients();
            value.backward();
            mixed?.ToMaster();
        }
        using (profile.Time(TrialPhase.Optimizer))
        {
            optimizer.step();
            if (anchors is not null) bank!.Update(bankRows, anchors);
            return value.item<float>();
        }
    }

    Tensor Project(Tensor views) => mixed is null ? model.forward(views) : mixed.Forward(views);

    public void SetLearningRate(double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    public static optim.Optimizer CreateOptimizer(ContrastiveModel model, TrainingOptions options) => options.Optimizer switch
    {
        OptimizerKind.Adam => new KeptScalarAdam(model.parameters(), options.LearningRate, options.WeightDecay),
        OptimizerKind.Sgd => new KeptScalarSgd(model.parameters(), options.LearningRate, options.Momentum, options.WeightDecay),
        _ => throw new ArgumentException($"unknown optimizer '{options.Optimizer}'"),
    };
}
