using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// A client that skips the `study` console reaches the grains directly: they check what they are given with the
/// console's rules (issue 10, defect 10). A spec beyond the bounds starts nothing; a trial whose ids would climb
/// out of the artifacts folder writes nothing there or anywhere else.
/// </summary>
public sealed class GrainInputTests
{
    static StudySpec Valid(string id) => new()
    {
        StudyId = id, Dataset = "synthetic", Search = SearchKind.Random, Trials = 2, TauMin = 0.05, TauMax = 2, Epochs = 1, SyntheticEpochMs = 10,
    };

    [Fact]
    public async Task TheStudyGrainRefusesASpecTheConsoleWouldRefuseAndStoresNothing()
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        (StudySpec Spec, string Mentions)[] bad =
        [
            (Valid("s1") with { Seeds = 100_000_000 }, "--seeds"),
            (Valid("s2") with { Search = SearchKind.Random, Trials = 3, TauMin = 0.3, TauMax = 0.300001 }, "--tau-range 0.3:0.300001 holds only 2"),
            (Valid("s3") with { BatchSize = 1_000_000 }, "--batch-size"),
            (Valid("s4") with { Threads = 100_000 }, "--threads"),
            (Valid("s5") with { Loss = (LossKind)42 }, "--loss must be one of infonce, hard, simple, hard-simple, got '42'"),
            (Valid("s6") with { Epochs = 0 }, "--epochs"),
        ];
        foreach (var (spec, mentions) in bad)
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Grains.GetGrain<IStudyGrain>(spec.StudyId).Start(spec));
            Assert.Contains(mentions, e.Message);
            Assert.Null(await cluster.Store.GetStudy(spec.StudyId));
        }
        var evil = cluster.Grains.GetGrain<IStudyGrain>("../evil");
        Assert.Contains("study id", (await Assert.ThrowsAsync<ArgumentException>(() => evil.Start(Valid("x")))).Message);
        Assert.Empty(await cluster.Store.ListStudies());
    }

    [Fact]
    public async Task ASecondSpecUnderATakenStudyIdIsRefusedAndTheSameSpecAgainGetsTheStudy()
    {
        // Issue 23: two clients that drew the same id would otherwise share one study without a word.
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var grain = cluster.Grains.GetGrain<IStudyGrain>("taken");
        var first = Valid("taken");
        await grain.Start(first);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => grain.Start(first with { Trials = 3 }));
        Assert.Contains("study id 'taken' is taken", e.Message);
        Assert.Equal("taken", (await grain.Start(first with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" })).StudyId);
        Assert.Equal(2, Study.Grains.Storage.StudySpecJson.Read((await cluster.Store.GetStudy("taken"))!.SpecJson).Trials);
    }

    [Fact]
    public void AnIdWithATrailingNewlineIsNotSafe()
    {
        Assert.True(Study.Grains.Coordinator.StudySpecRules.IsSafeId("s1"));
        Assert.False(Study.Grains.Coordinator.StudySpecRules.IsSafeId("s1\n"));
        Assert.Matches(@"^study-\d{8}-\d{6}-[0-9a-f]{8}$", Study.Grains.Coordinator.TrialNaming.NewStudyId("study"));
    }

    [Theory]
    [InlineData("..", "t1")]
    [InlineData("s", "../../escape")]
    [InlineData("s/../..", "t1")]
    public async Task ATrialWhoseIdsLeaveTheArtifactsFolderIsRefused(string studyId, string trialId)
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var trial = new TrialSpec(studyId, trialId, 0, 0.5, 1);
        var assignment = new TrialAssignment(trial, Valid(studyId) with { StudyId = studyId, Taus = [] }, 1, null);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.SiloGrains().GetGrain<ITrialGrain>(trial.Key).Start(assignment));
        Assert.Contains("ids must be", e.Message);
        var outside = Path.GetDirectoryName(cluster.Artifacts)!;
        Assert.Empty(Directory.EnumerateFileSystemEntries(cluster.Artifacts));
        Assert.False(Directory.Exists(Path.Combine(outside, "escape")));
    }

    [Fact]
    public async Task ADataFolderOutsideTheSilosDataRootsIsRefused()
    {
        // Issue 23: a client could name any folder on the silos as its data directory.
        var root = Directory.CreateTempSubdirectory("study-data-root-").FullName;
        try
        {
            await using var cluster = await TestRuntimeCluster.Start([1], dataRoots: [root]);
            var trial = new TrialSpec("s", "t1", 0, 0.5, 1);
            var outside = new TrialAssignment(trial, Valid("s") with { Taus = [], Dataset = "cifar10", DataDir = "/etc" }, 1, null);
            var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.SiloGrains().GetGrain<ITrialGrain>(trial.Key).Start(outside));
            Assert.Contains("--data-dir '/etc' is outside the folders this silo reads data from", e.Message);
            var sneaky = outside with { Study = outside.Study with { DataDir = root + "/../../etc" } };
            await Assert.ThrowsAsync<ArgumentException>(() => cluster.SiloGrains().GetGrain<ITrialGrain>(trial.Key).Start(sneaky));
            Assert.Empty(Directory.EnumerateFileSystemEntries(cluster.Artifacts));
            // Inside a root, the trial starts (and fails on its missing files, as any trial would).
            var inside = outside with { Study = outside.Study with { DataDir = Path.Combine(root, "cifar10") } };
            Assert.True(await cluster.SiloGrains().GetGrain<ITrialGrain>(trial.Key).Start(inside));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task ATrialSentToAnotherTrialsGrainIsRefused()
    {
        await using var cluster = await TestRuntimeCluster.Start([1]);
        var trial = new TrialSpec("s", "t1", 0, 0.5, 1);
        var assignment = new TrialAssignment(trial, Valid("s") with { Taus = [] }, 1, null);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => cluster.SiloGrains().GetGrain<ITrialGrain>("s/t2").Start(assignment));
        Assert.Contains("was sent to the grain of 's/t2'", e.Message);
    }
}
