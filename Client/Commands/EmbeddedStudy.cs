using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Scheduling;
using Study.Grains.Storage;
using Study.Training.Trainer;

namespace Study.Client.Commands;

/// <summary>Drives a study in this process (`run` without --cluster, `resume` of an embedded study): an embedded
/// silo, the study's lease, progress until the end, then the output folder.</summary>
public static class EmbeddedStudy
{
    /// <summary>
    /// The embedded silo exists for this one study: as many slots as trials can run at once, up to
    /// <see cref="SlotsPerGpu"/> per GPU (in worker processes: a small model leaves most of a big GPU idle) or, on CPUs,
    /// up to the cores, each with its share of them (on 2 cores two 1-thread trials train ~10% more images/s than one
    /// 2-thread trial, and one's evaluation overlaps the other's training; docs/PERFORMANCE.md, issue 25).
    /// </summary>
    public static RuntimeOptions Runtime(string storePath, StudySpec spec)
    {
        int cores = Environment.ProcessorCount;
        int atOnce = Math.Min(spec.Parallel ?? int.MaxValue, spec.TotalTrials);
        int gpus = DeviceChoice.Parse(spec.Device).Kind == DeviceKind.Cpu ? 0 : TrainingDevice.CudaDevices();
        int slots = gpus > 0 ? Math.Clamp(atOnce, 1, SlotLayout.For(gpus, null, SlotsPerGpu()).Slots) : Math.Clamp(atOnce, 1, cores);
        return new RuntimeOptions
        {
            Slots = slots,
            Gpus = gpus,
            Isolation = Isolation(gpus),
            ThreadsPerSlot = spec.Threads ?? Math.Max(1, cores / slots),
            Artifacts = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(storePath))!, "artifacts"),
        };
    }

    /// <summary>Trials at once per GPU: STUDY_SLOTS_PER_GPU (as the silo's --slots-per-gpu), else 4 — with PyTorch on an
    /// H200, 4 processes of cnn-small trained 2.1× the images/s of one.</summary>
    static int SlotsPerGpu()
    {
        var text = Environment.GetEnvironmentVariable("STUDY_SLOTS_PER_GPU");
        if (string.IsNullOrEmpty(text)) return 4;
        return int.TryParse(text, out var k) && k is >= 1 and <= 64 ? k
            : throw new UsageException($"STUDY_SLOTS_PER_GPU: '{text}' must be a whole number from 1 to 64");
    }

    /// <summary>Processes on GPUs, threads on CPUs, unless STUDY_SLOT_ISOLATION says otherwise.</summary>
    static SlotIsolation Isolation(int gpus)
    {
        try { return RuntimeOptions.ParseIsolation(Environment.GetEnvironmentVariable(RuntimeOptions.IsolationVariable)) ?? RuntimeOptions.DefaultIsolation(gpus); }
        catch (ArgumentException e) { throw new UsageException($"{RuntimeOptions.IsolationVariable}: {e.Message}"); }
    }

    /// <param name="parse">the command's: its store path, --out and --json</param>
    /// <param name="begin">starts or resumes the study on the embedded cluster</param>
    public static async Task<int> Drive(IStudyStore store, ParseResult parse, StudySpec spec, Func<IGrainFactory, Task> begin, bool leaseFirst,
        CancellationToken cancel)
    {
        var studyId = spec.StudyId;
        var storePath = StudyStores.StorePath(parse);
        bool json = parse.GetValue(CommonOptions.Json);
        StudyLease? lease = leaseFirst ? await StudyLease.Acquire(store, studyId) : null;
        try
        {
            await using var cluster = await EmbeddedCluster.Start(store, Runtime(storePath, spec));
            await begin(cluster.Grains);
            StudyLog.Started(spec, "in this process");
            lease ??= await StudyLease.Acquire(store, studyId);
            var study = cluster.Grains.GetGrain<IStudyGrain>(studyId);
            Console.Error.WriteLine($"study {studyId}: running in this process (store {storePath})");
            var progress = StudyProgress.For(store, studyId, json, "stop this process; study resume continues it");
            bool cancelledHere = false;
            // Losing the lease, or SIGTERM, detaches: the study is not this process's to cancel then.
            using var detach = CancellationTokenSource.CreateLinkedTokenSource(lease.Lost, Termination.Requested);
            var final = await progress.Follow(async () =>
            {
                cancelledHere = true;
                Console.Error.WriteLine($"study {studyId}: cancelling; running trials stop at their next step");
                await study.Cancel();
            }, cancel, detach.Token);
            if (final is null && lease.Lost.IsCancellationRequested)
            {
                Console.Error.WriteLine($"study {studyId}: another process has taken its lease (this one was paused too long); stopping without driving it");
                return ExitCodes.Failed;
            }
            if (final is null)
            {
                Console.Error.WriteLine($"study {studyId}: detached; its trials checkpoint and stop with this process. Continue it with: ./study resume {studyId}");
                return ExitCodes.Cancelled;
            }
            StudyLog.Ended(studyId, final.Status);
            var results = (await StudyResults.Load(store, studyId))!;
            var folder = CommonOptions.OutFolder(parse, studyId);
            await StudyFolderWriter.Write(store, results, folder);
            StudySummary.Print(results, folder, json);
            return StudySummary.ExitCode(final.Status, cancelledHere);
        }
        finally
        {
            if (lease is not null) await lease.DisposeAsync();
        }
    }
}
