using System.Diagnostics;
using Study.Grains;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>
/// Issue 23: the artifacts folder on a small filesystem that is full when a trial writes its first checkpoint (a
/// tmpfs of 1 MiB, nearly filled; mounting it needs root, which the test machines have). The trial fails saying which
/// write failed and why, no checkpoint is left behind to be loaded later, and the store holds the study as ended.
/// </summary>
public sealed class FullDiskTests
{
    static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
    }

    [Fact]
    public async Task ATrialThatFindsTheDiskFullFailsSayingSoAndLeavesNoCheckpoint()
    {
        Assert.True(Environment.UserName == "root", "mounting a small filesystem needs root (the test machines run as root)");
        await using var cluster = await TestRuntimeCluster.Start([1]);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "study-full-disk", cluster.Artifacts);
        try
        {
            // Leave about 16 KiB: less than any checkpoint of a model and its optimiser.
            var filler = Path.Combine(cluster.Artifacts, "filler");
            var free = new DriveInfo(cluster.Artifacts).AvailableFreeSpace;
            await File.WriteAllBytesAsync(filler, new byte[free - 16 * 1024]);

            var study = cluster.Grains.GetGrain<IStudyGrain>("full-disk");
            await study.Start(new StudySpec
            {
                StudyId = "full-disk", Dataset = "synthetic", Search = SearchKind.Grid, Taus = [0.5], Epochs = 2, Subset = 256, EvalSubset = 100,
                BatchSize = 64, Seed = 1,
            });
            var snapshot = await TestRuntimeCluster.UntilEnded(study, TimeSpan.FromMinutes(3));
            Assert.Equal(StudyStatuses.Failed, snapshot.Status);
            var trial = Assert.Single(await cluster.Store.GetTrials("full-disk"));
            Assert.Equal(TrialStatus.Failed, trial.Status);
            Assert.Contains("writing the checkpoint", trial.Error);
            Assert.Contains("No space left on device", trial.Error);
            Assert.Null(trial.CheckpointPath);
            Assert.Empty(await cluster.Store.GetEpochs("full-disk"));
            Assert.Equal(StudyStatuses.Failed, (await cluster.Store.GetStudy("full-disk"))!.Status);
            // Nothing of the trial is left on the full filesystem: no checkpoint, no unfinished write.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Directory.EnumerateFiles(cluster.Artifacts, "*", SearchOption.AllDirectories).Any(f => f != filler))
            {
                Assert.True(DateTime.UtcNow < until, string.Join(", ", Directory.EnumerateFiles(cluster.Artifacts, "*", SearchOption.AllDirectories)));
                await Task.Delay(100);
            }
        }
        finally { Run("umount", cluster.Artifacts); }
    }
}
