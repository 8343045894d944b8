using Study.Client.Connection;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Running;
using Study.Grains.Storage;
using Study.Training.Trainer;

namespace Study.Client.Commands;

/// <summary>Drives a study in this process (`run` without --cluster, `resume` of an embedded study): an embedded
/// silo, the study's lease, progress until the end, then the output folder.</summary>
public static class EmbeddedStudy
{
    public static RuntimeOptions Runtime(string storePath, int? threads) => new()
    {
        Slots = TrainingDevice.DefaultSlots(),
        ThreadsPerSlot = threads ?? Math.Max(1, Environment.ProcessorCount / TrainingDevice.DefaultSlots()),
        Artifacts = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath))!, "artifacts"),
    };

    /// <param name="begin">starts or resumes the study on the embedded cluster</param>
    public static async Task<int> Drive(IStudyStore store, string storePath, string studyId, int? threads, string? outFolder, bool json,
        Func<IGrainFactory, Task> begin, bool leaseFirst, CancellationToken cancel)
    {
        StudyLease? lease = leaseFirst ? await StudyLease.Acquire(store, studyId) : null;
        try
        {
            await using var cluster = await EmbeddedCluster.Start(store, Runtime(storePath, threads));
            await begin(cluster.Grains);
            lease ??= await StudyLease.Acquire(store, studyId);
            var study = cluster.Grains.GetGrain<IStudyGrain>(studyId);
            Console.Error.WriteLine($"study {studyId}: running in this process (store {storePath})");
            var final = await new PlainProgress(store, studyId, Console.Error).Follow(cancel, async () =>
            {
                Console.Error.WriteLine($"study {studyId}: cancelling; running trials stop at their next step");
                await study.Cancel();
            });
            var results = (await StudyResults.Load(store, studyId))!;
            var folder = outFolder ?? StudySummary.DefaultFolder(studyId);
            await StudyFolderWriter.Write(store, results, folder);
            StudySummary.Print(results, folder, json);
            return StudySummary.ExitCode(final!.Status, cancel.IsCancellationRequested);
        }
        finally
        {
            if (lease is not null) await lease.DisposeAsync();
        }
    }
}
