using Study.Grains;
using Study.Grains.Storage;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: a new attempt starts only once the store has taken it. When storing a round's new attempts fails for
/// some of them, the others still start and the rest are placed again; when the store refuses one (another
/// activation of the coordinator wrote the row), it is not started, and the attempt the row names is watched like
/// any other: it is resumed elsewhere once its silo shows it does not run it.
/// </summary>
public sealed class AttemptFencingTests
{
    static StudySpec Grid(string id) => new()
    {
        StudyId = id, Dataset = "synthetic", Search = SearchKind.Grid, Taus = [0.1, 0.5], Epochs = 2, SyntheticEpochMs = 200, Seed = 1,
    };

    static bool IsNewAttempt(string method, object?[] args, out TrialRecord trial)
    {
        trial = method == nameof(IStudyStore.UpdateTrial) ? (TrialRecord)args[0]! : null!;
        return trial is { Status: TrialStatus.Running, Attempt: 1, EpochsCompleted: 0 } && (int)args[1]! == 0;
    }

    [Fact]
    public async Task WhenStoringOneOfTwoNewAttemptsFailsTheStudyStillEnds()
    {
        var store = new MemoryStudyStore();
        int newAttempts = 0;
        var failing = InterceptedStore.Wrap(store, (method, args, call) =>
            IsNewAttempt(method, args, out _) && Interlocked.Increment(ref newAttempts) == 2
                ? Task.FromException<bool>(new TimeoutException("the store did not answer (injected)"))
                : call());
        await using var cluster = await TestRuntimeCluster.Start([2], failing);
        var study = cluster.Grains.GetGrain<IStudyGrain>("partial-store");
        await study.Start(Grid("partial-store"));
        Assert.Equal(StudyStatuses.Completed, (await TestRuntimeCluster.UntilEnded(study, TimeSpan.FromSeconds(90))).Status);
        var trials = await store.GetTrials("partial-store");
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Completed, 2), (t.Status, t.EpochsCompleted)));
    }

    [Fact]
    public async Task AnAttemptTheStoreRefusedIsNotStartedAndTheOneItNamesIsResumedOnceLost()
    {
        var store = new MemoryStudyStore();
        TestRuntimeCluster? cluster = null;
        int interfered = 0;
        // Another activation stores attempt 1 of the first trial, on this silo, a moment before this one tries to.
        var racing = InterceptedStore.Wrap(store, (method, args, call) =>
        {
            if (IsNewAttempt(method, args, out var trial) && trial.Index == 0 && Interlocked.Exchange(ref interfered, 1) == 0)
                store.UpdateTrial(trial with { Silo = cluster!.Cluster.Primary!.SiloAddress.ToParsableString() }, 0).GetAwaiter().GetResult();
            return call();
        });
        await using (cluster = await TestRuntimeCluster.Start([2], racing))
        {
            var study = cluster.Grains.GetGrain<IStudyGrain>("refused");
            await study.Start(Grid("refused"));
            Assert.Equal(StudyStatuses.Completed, (await TestRuntimeCluster.UntilEnded(study, TimeSpan.FromSeconds(120))).Status);
            Assert.Equal(1, interfered);
            var first = (await store.GetTrials("refused")).Single(t => t.Index == 0);
            Assert.Equal((TrialStatus.Completed, 2), (first.Status, first.Attempt));
            // Attempt 1 (the other activation's) never trained here: every epoch of the trial is attempt 2's.
            var epochs = (await store.GetEpochs("refused")).Where(e => e.TrialId == first.TrialId).ToList();
            Assert.Equal(2, epochs.Count);
            Assert.All(epochs, e => Assert.Equal(2, e.Attempt));
        }
    }
}
