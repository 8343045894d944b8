using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Study.Training.Trainer;

namespace Study.Grains.Running.Workers;

/// <summary>
/// Trains each trial in a worker process (<see cref="SlotWorker"/>) instead of on the slot thread itself; the slot
/// thread relays the worker's progress and epochs to the host and its verdicts back. Workers are kept per device
/// and reused by the next trial, so a process starts (and loads its datasets) once per slot, not once per trial.
/// A worker that dies takes only its trial with it: the trial fails, saying how the worker ended; one that writes
/// nothing for <see cref="RuntimeOptions.WorkerSilenceLimit"/> is killed as hung, and its trial fails the same way.
/// </summary>
public sealed class ProcessTrialTrainer(RuntimeOptions options, TimeProvider clock, ILogger<ProcessTrialTrainer> log) : ITrialTrainer, IDisposable
{
    readonly ConcurrentDictionary<string, ConcurrentBag<WorkerProcess>> idle = new();
    readonly ConcurrentDictionary<WorkerProcess, byte> all = new();
    volatile bool disposed;

    public TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control)
    {
        long started = clock.GetTimestamp();
        WorkerProcess worker;
        try { worker = Take(device); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return TrainingOutcome.Failure($"the slot's worker process did not start ({e.Message})", Seconds(started));
        }
        bool reusable = false;
        try
        {
            var trial = new WorkerTrial(assignment, device, Math.Max(1, options.ThreadsPerSlot),
                CheckpointFiles.Folder(options.Artifacts, assignment.Trial.StudyId, assignment.Trial.TrialId), control.LoadPath);
            if (!worker.TrySend(WorkerProtocol.Write(trial))) return Died(worker, 0, started);
            using var onCancel = control.Cancel.Register(() => worker.TrySend(WorkerProtocol.Cancel));
            using var onInterrupt = control.Interrupt.Register(() => worker.TrySend(WorkerProtocol.Interrupt));
            int epochs = 0;
            long lastHeard = clock.GetTimestamp();
            bool hung = false;
            var limit = options.WorkerSilenceLimit;
            using var watchdog = clock.CreateTimer(_ =>
            {
                if (clock.GetElapsedTime(Interlocked.Read(ref lastHeard)) <= limit) return;
                hung = true;
                worker.Kill();
            }, null, WatchPeriod(limit), WatchPeriod(limit));
            while (worker.ReadLine() is { } line)
            {
                Interlocked.Exchange(ref lastHeard, clock.GetTimestamp());
                if (!line.StartsWith('{'))
                {
                    log.LogInformation("worker {Pid} ({Device}): {Line}", worker.Id, device, line);
                    continue;
                }
                var message = WorkerProtocol.Read<WorkerEvent>(line);
                if (message.Progress is { } progress) control.OnProgress?.Invoke(progress);
                else if (message.Epoch is { } epoch)
                {
                    epochs = epoch.Epoch;
                    var verdict = control.OnEpoch?.Invoke(epoch) ?? EpochVerdict.Continue;
                    worker.TrySend(WorkerProtocol.WordOf(verdict));
                }
                else if (message.Outcome is { } outcome)
                {
                    reusable = true;
                    return outcome;
                }
            }
            return hung
                ? TrainingOutcome.Failure($"the slot's worker process (pid {worker.Id}, {worker.Device}) wrote nothing for {Numbers.Fixed(limit.TotalSeconds, 0)} s " +
                    $"after {epochs} epoch(s) and was killed as hung", Seconds(started))
                : Died(worker, epochs, started);
        }
        finally
        {
            if (reusable && !disposed && worker.Alive) idle.GetOrAdd(device, _ => []).Add(worker);
            else Retire(worker);
        }
    }

    static TimeSpan WatchPeriod(TimeSpan limit) => TimeSpan.FromMilliseconds(Math.Clamp(limit.TotalMilliseconds / 4, 100, 10_000));

    WorkerProcess Take(string device)
    {
        if (idle.TryGetValue(device, out var bag))
            while (bag.TryTake(out var worker))
            {
                if (worker.Alive) return worker;
                Retire(worker);
            }
        var started = WorkerProcess.Start(options.WorkerCommand, device, log);
        all[started] = 0;
        return started;
    }

    double Seconds(long since) => clock.GetElapsedTime(since).TotalSeconds;

    TrainingOutcome Died(WorkerProcess worker, int epochs, long started)
    {
        var end = worker.DescribeEnd();
        log.LogWarning("slot worker {Pid} ({Device}) ended during a trial: {End}", worker.Id, worker.Device, end);
        return TrainingOutcome.Failure(
            $"the slot's worker process (pid {worker.Id}, {worker.Device}) ended during the trial after {epochs} epoch(s): {end}",
            Seconds(started));
    }

    void Retire(WorkerProcess worker)
    {
        all.TryRemove(worker, out _);
        worker.Dispose();
    }

    public void Dispose()
    {
        disposed = true;
        foreach (var worker in all.Keys) Retire(worker);
    }
}
