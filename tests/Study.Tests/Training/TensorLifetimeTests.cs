using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using Study.Training.Trainer;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>Every tensor a training step makes is disposed: the live count does not grow with the steps.</summary>
public class TensorLifetimeTests
{
    [Theory]
    [InlineData(NegativeSource.Batch, LossKind.InfoNce, false)]
    [InlineData(NegativeSource.MemoryBank, LossKind.Hard, false)]
    [InlineData(NegativeSource.Batch, LossKind.InfoNce, true)]
    public void StepsLeaveNoLiveTensors(NegativeSource negatives, LossKind loss, bool bf16)
    {
        var (train, test) = DatasetCatalog.Load("synthetic", null, 1);
        using var data = new DataSplits(train, test, 1, subset: 512, evalSubset: 100);
        using var random = new TrialRandom(1);
        using var model = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, random, CPU);
        using var optimizer = TrainingStep.CreateOptimizer(model, new TrainingOptions());
        using var bank = negatives == NegativeSource.MemoryBank ? MemoryBank.Random(512, 64, random, CPU) : null;
        using var mixed = bf16 ? new MixedPrecision(model, CPU) : null;
        var step = new TrainingStep(model, optimizer, new ContrastiveAugmentation(false), new LossSettings(loss, 0.2, 0.1, negatives), bank, mixed);
        using var rows = arange(32L, dtype: ScalarType.Int64);
        using var images = data.Train.Batch(rows, CPU);

        for (int i = 0; i < 3; i++) step.Run(images, rows, random); // optimiser state appears on the first steps
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 10; i++) step.Run(images, rows, random);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
    }
}
