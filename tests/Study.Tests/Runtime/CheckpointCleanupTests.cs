using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>A study that has ended leaves no checkpoints behind (issue 10, defect 6): neither those of its
/// attempts, nor those of attempts that were interrupted or died, nor unfinished writes.</summary>
public sealed class CheckpointCleanupTests
{
    [Fact]
    public async Task AnEndedStudyLeavesNoCheckpoints()
    {
        await using var cluster = await TestRuntimeCluster.Start([2]);
        var study = cluster.Grains.GetGrain<IStudyGrain>("cleanup");
        // What a silo that died mid-write leaves: an old attempt's checkpoint and a half-written one.
        var stale = Path.Combine(cluster.Artifacts, "cleanup", "t000-tau0.1-s1");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "a1-e1.ckpt"), "old attempt");
        File.WriteAllText(Path.Combine(stale, "a1-e2.ckpt.tmp-4242-7"), "half written");
        var other = Path.Combine(cluster.Artifacts, "another-study", "t000-tau0.1-s1");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "a1-e1.ckpt"), "another study's");

        await study.Start(new StudySpec
        {
            StudyId = "cleanup", Dataset = "synthetic", Search = SearchKind.Grid, Taus = [0.1, 0.5, 1.0], Epochs = 3, SyntheticEpochMs = 100, Seed = 2,
        });
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!StudyStatuses.IsFinal((await study.GetSnapshot()).Status))
        {
            Assert.True(DateTime.UtcNow < until, "the study did not end");
            await Task.Delay(100);
        }
        Assert.Equal(StudyStatuses.Completed, (await study.GetSnapshot()).Status);
        var folder = Path.Combine(cluster.Artifacts, "cleanup");
        var gone = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Directory.Exists(folder) && DateTime.UtcNow < gone) await Task.Delay(100);
        Assert.False(Directory.Exists(folder), "left behind: " + string.Join(", ", Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories) : []));
        Assert.True(File.Exists(Path.Combine(other, "a1-e1.ckpt")), "another study's checkpoint was removed");
    }
}
