using Study.Client.Reporting;
using Study.Grains;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Reporting;

/// <summary>How `study compare` names a study: by what sets it apart.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class StudyComparisonTests
{
    [Fact]
    public void ALabelNamesTheLossNegativesScheduleSearchAndPrunerAndTheEpochsWhenAsked()
    {
        var grid = new StudySpec { Loss = LossKind.InfoNce, Negatives = NegativeSource.Batch, Epochs = 30 };
        Assert.Equal("infonce, batch", StudyComparison.Label(grid));
        Assert.Equal("infonce, batch, 30 epochs", StudyComparison.Label(grid, withEpochs: true));
        var adaptive = grid with { Loss = LossKind.Hard, Negatives = NegativeSource.MemoryBank, Search = SearchKind.Adaptive, Pruner = PrunerKind.Asha };
        Assert.Equal("hard, memory-bank, adaptive, asha", StudyComparison.Label(adaptive));
        var cosine = grid with { TauSchedule = TauScheduleKind.Cosine, TauPeriod = 2 };
        Assert.Equal("infonce, batch, 30 epochs, cosine τ, period 2", StudyComparison.Label(cosine, withEpochs: true));
    }
}
