using Study.Training.Data;
using Study.Training.Trainer;
using Xunit;

namespace Study.Tests.Training;

/// <summary>Issue 20: a memory-bank trial on Fashion-MNIST learns — its embedding spreads (uniformity above 1) and
/// stays apart within classes (tolerance below 0.9) — instead of collapsing to one point.</summary>
public sealed class MemoryBankLearningTests
{
    [Fact]
    public void AShortFashionMnistBankRunKeepsItsUniformityAboveOne()
    {
        TrainingRuntime.Initialize(2);
        var options = new TrainingOptions
        {
            Dataset = "fashion-mnist", Tau = 0.2, Negatives = NegativeSource.MemoryBank, ProjectionHead = ProjectionHeadKind.MlpBatchNorm,
            Epochs = 4, BatchSize = 128, Subset = 4096, EvalSubset = 1000, Device = "cpu",
        };
        var (train, test) = DatasetCatalog.Load(options.Dataset, null, options.SplitSeed);
        using var data = new DataSplits(train, test, options.SplitSeed, options.Subset, options.EvalSubset);
        var outcome = new ContrastiveTrainer(options, data).Run();
        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.True(outcome.Metrics.Uniformity > 1, $"uniformity {outcome.Metrics.Uniformity}");
        Assert.True(outcome.Metrics.Tolerance < 0.9, $"tolerance {outcome.Metrics.Tolerance}");
        // From its second epoch on the validation embedding is spread, and each image moves toward its own bank entry.
        Assert.All(outcome.History.Skip(1), e => Assert.True(e.ValUniformity > 1, $"epoch {e.Epoch}: val uniformity {e.ValUniformity}"));
        Assert.True(outcome.History[^1].PositiveSimilarity > outcome.History[0].PositiveSimilarity + 0.3,
            $"positive similarity z·v {outcome.History[0].PositiveSimilarity} → {outcome.History[^1].PositiveSimilarity}");
        Assert.InRange(outcome.Metrics.LinearAccuracy!.Value, 0.7, 1);
    }
}
