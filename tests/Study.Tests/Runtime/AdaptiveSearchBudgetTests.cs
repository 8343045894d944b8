using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Storage;
using Xunit;
using Xunit.Abstractions;

namespace Study.Tests.Runtime;

/// <summary>
/// The searcher and the scheduler together, through the real grains (synthetic trials whose accuracy peaks at
/// τ = 0.3): adaptive search with ASHA finds a τ about as good as the paper's grid's best while training far fewer
/// epochs — the shape of docs/EXPERIMENTS.md §2, on a problem whose answer is known.
/// </summary>
public sealed class AdaptiveSearchBudgetTests(ITestOutputHelper output)
{
    static async Task<IReadOnlyList<TrialRecord>> Run(TestRuntimeCluster cluster, StudySpec spec)
    {
        var study = cluster.Grains.GetGrain<IStudyGrain>(spec.StudyId);
        await study.Start(spec);
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!StudyStatuses.IsFinal((await study.GetSnapshot()).Status))
        {
            Assert.True(DateTime.UtcNow < until, $"{spec.StudyId} did not end");
            await Task.Delay(100);
        }
        return await cluster.Store.GetTrials(spec.StudyId);
    }

    [Fact]
    public async Task AdaptiveWithAshaGetsNearTheGridsBestOnAFractionOfItsEpochs()
    {
        await using var cluster = await TestRuntimeCluster.Start([2]);
        var common = new StudySpec { Dataset = "synthetic", Epochs = 10, SyntheticEpochMs = 40, Seed = 1 };
        var grid = await Run(cluster, common with { StudyId = "grid" });
        var adaptive = await Run(cluster, common with
        {
            StudyId = "adaptive", Search = SearchKind.Adaptive, Trials = 6, Pruner = PrunerKind.Asha,
        });
        var gridSpec = common with { StudyId = "grid" };
        double gridBest = StudyAnalysis.Best(gridSpec, grid)!.Value;
        double adaptiveBest = StudyAnalysis.Best(gridSpec, adaptive)!.Value;
        int gridEpochs = grid.Sum(t => t.EpochsCompleted), adaptiveEpochs = adaptive.Sum(t => t.EpochsCompleted);
        output.WriteLine($"grid: {gridEpochs} epochs, best {gridBest:0.0000}; adaptive with ASHA: {adaptiveEpochs} epochs, best {adaptiveBest:0.0000}; " +
            string.Join(", ", adaptive.Select(t => $"{t.TrialId} {t.Status} {t.EpochsCompleted}")));
        Assert.Equal(60, gridEpochs);
        Assert.Contains(adaptive, t => t.Status == TrialStatus.Pruned);
        // Issue 22: the study ends comparing η = 3 completed trials, not one. That costs epochs: this bound was 40% of the
        // grid's while a single trial went on to the end; three finalists make it 33 of 60.
        Assert.Equal(3, adaptive.Count(t => t.Status == TrialStatus.Completed));
        Assert.True(adaptiveEpochs <= 0.6 * gridEpochs, $"adaptive with ASHA trained {adaptiveEpochs} epochs");
        Assert.True(adaptiveBest >= gridBest - 0.005, $"adaptive best {adaptiveBest:0.0000} against the grid's {gridBest:0.0000}");
    }
}
