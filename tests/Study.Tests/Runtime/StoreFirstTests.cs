using Study.Grains;
using Study.Grains.Storage;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Store first, then memory (issue 10, defect 3): when the store fails to take new trials, the coordinator does
/// not keep them in memory as if it had; the study still ends with exactly its trials, all of them in the store.
/// </summary>
public sealed class StoreFirstTests
{
    [Fact]
    public async Task TrialsTheStoreDidNotTakeAreNotKeptInMemory()
    {
        var store = new MemoryStudyStore();
        await using var cluster = await TestRuntimeCluster.Start([2], InterceptedStore.FailingOnce(store, nameof(IStudyStore.AddTrials)));
        var study = cluster.Grains.GetGrain<IStudyGrain>("store-first");
        await study.Start(new StudySpec
        {
            StudyId = "store-first", Dataset = "synthetic", Search = SearchKind.Adaptive, Trials = 4, TauMin = 0.05, TauMax = 2, Epochs = 1,
            SyntheticEpochMs = 20, Seed = 3,
        });
        var snapshot = await TestRuntimeCluster.UntilEnded(study, TimeSpan.FromMinutes(2));
        var stored = await store.GetTrials("store-first");
        Assert.Equal(StudyStatuses.Completed, snapshot.Status);
        Assert.Equal(4, stored.Count);
        Assert.All(stored, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal(stored.Count, snapshot.Done);
    }
}
