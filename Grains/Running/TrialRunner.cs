using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Study.Grains.Scheduling;
using Study.Grains.Storage;
using Study.Grains.Telemetry;
using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>
/// Runs trial attempts on this silo's slot threads: trains, reports every epoch to the study's coordinator (whose
/// verdict may prune or stop the attempt), saves the evaluated trial's artifacts to the store and reports how the
/// attempt ended. Every report and checkpoint carries the attempt number, so a stale attempt changes nothing.
/// </summary>
public sealed class TrialRunner(SlotPool slots, ITrialTrainer trainer, IGrainFactory grains, IStudyStore store,
    ILocalSiloDetails silo, RuntimeOptions options, StudyMetrics metrics, ReportDelivery delivery, TimeProvider clock, ILogger<TrialRunner> log)
{
    /// <param name="Trace">the span that started the attempt: the attempt's own span joins the study's trace under it</param>
    sealed record Running(TrialAssignment Assignment, ActivityContext Trace, CancellationTokenSource Cancel, CancellationTokenSource Interrupt,
        TaskCompletionSource Done);

    readonly ConcurrentDictionary<string, Running> running = new();
    readonly ConcurrentDictionary<string, int> reporting = new();

    /// <summary>Trials that ended here whose outcome is still being delivered (the heartbeat says so, so that a slow
    /// delivery is not taken for a lost attempt and the trial run again).</summary>
    public string[] Reporting => reporting.Keys.ToArray();

    public int Slots => slots.Count;

    public int RunningCount => running.Count;

    /// <summary>Set while this silo is cut off from the rest of the cluster (<see cref="SelfFence"/>): no attempt starts.</summary>
    public bool Fenced { get; set; }

    /// <summary>Starts the attempt on a free slot; false when there is none, or while fenced (the coordinator will
    /// place it again).</summary>
    public bool TryStart(TrialAssignment assignment, ActivityContext trace = default)
    {
        if (Fenced) return false;
        var key = assignment.Trial.Key;
        if (running.TryGetValue(key, out var existing))
        {
            if (existing.Assignment.Attempt == assignment.Attempt) return true; // a repeated start
            existing.Cancel.Cancel(); // an older attempt still finishing here: it is stale now
            return false;
        }
        var entry = new Running(assignment, trace, new CancellationTokenSource(), new CancellationTokenSource(),
            new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!running.TryAdd(key, entry)) return false;
        if (slots.TryRun(key, slot => Execute(entry, slot))) return true;
        running.TryRemove(key, out _);
        return false;
    }

    public void Cancel(string trialKey, int attempt)
    {
        if (running.TryGetValue(trialKey, out var entry) && entry.Assignment.Attempt <= attempt) entry.Cancel.Cancel();
    }

    /// <summary>Asks every running attempt to checkpoint at its next step and stop, and waits for them (bounded).</summary>
    public async Task InterruptAll(TimeSpan timeout)
    {
        var all = running.Values.ToList();
        foreach (var entry in all) entry.Interrupt.Cancel();
        await Task.WhenAny(Task.WhenAll(all.Select(e => e.Done.Task)), Task.Delay(timeout));
    }

    public Task Interrupt(string trialKey)
    {
        if (!running.TryGetValue(trialKey, out var entry)) return Task.CompletedTask;
        entry.Interrupt.Cancel();
        return entry.Done.Task;
    }

    /// <param name="slot">the slot it runs on</param>
    /// <returns>what to run on the slot thread once the slot is free (nothing: outcomes are sent from the pool)</returns>
    Action? Execute(Running entry, SlotReading slot)
    {
        var a = entry.Assignment;
        var device = TrainingDevice.ForSlot(a.Study.Device, slot.Device);
        using var telemetry = new TrialTelemetry(metrics, a, entry.Trace, slot, device, log);
        var attempt = new TrialAttempt(a, device, telemetry, grains.GetGrain<IStudyGrain>(a.Trial.StudyId),
            CheckpointFiles.Folder(options.Artifacts, a.Trial.StudyId, a.Trial.TrialId));
        // The started and ended lines let an operator (and NetworkFaultTests) see that no two silos train one trial at once.
        log.LogInformation("trial {Trial} attempt {Attempt}: training started", a.Trial.Key, a.Attempt);
        TrainingOutcome outcome;
        try { outcome = Train(attempt, ControlOf(entry, attempt)); }
        catch (Exception e)
        {
            log.LogInformation("trial {Trial} attempt {Attempt}: training ended (error)", a.Trial.Key, a.Attempt);
            return Failed(entry, attempt, e);
        }
        log.LogInformation("trial {Trial} attempt {Attempt}: training ended ({Status})", a.Trial.Key, a.Attempt, outcome.Status);
        try
        {
            SaveArtifacts(a, outcome, entry.Cancel.Token);
            return Ended(entry, attempt, outcome);
        }
        catch (Exception e)
        {
            return Failed(entry, attempt, e);
        }
    }

    TrainingControl ControlOf(Running entry, TrialAttempt attempt)
    {
        var a = entry.Assignment;
        return new TrainingControl
        {
            Attempt = a.Attempt,
            // Only a checkpoint inside the artifacts folder: a client's assignment cannot make the trial read elsewhere.
            ResumeFrom = a.ResumeFrom is { } resume && CheckpointFiles.IsUnder(options.Artifacts, resume) && File.Exists(resume) ? resume : null,
            CheckpointPathFor = attempt.CheckpointPath,
            Cancel = entry.Cancel.Token,
            Interrupt = entry.Interrupt.Token,
            OnProgress = p => StepDone(attempt, p),
            OnEpoch = m => EpochDone(entry, attempt, m),
        };
    }

    TrainingOutcome Train(TrialAttempt attempt, TrainingControl control)
    {
        try { return trainer.Train(attempt.Assignment, attempt.Device, control); }
        catch (Exception e) when (TrainingOutcome.IsTrialError(e)) { return TrainingOutcome.Failure(e.Message); }
    }

    void StepDone(TrialAttempt attempt, StepProgress p)
    {
        attempt.LastStep = p;
        attempt.Telemetry.Progress(p);
        if (clock.GetElapsedTime(attempt.LastPublished).TotalMilliseconds >= ProgressIntervalMs) Publish(attempt, "training", p);
    }

    /// <summary>Reports the epoch to the coordinator and returns its verdict (the final epoch waits for the outcome).</summary>
    EpochVerdict EpochDone(Running entry, TrialAttempt attempt, EpochMetrics m)
    {
        var a = entry.Assignment;
        var report = new EpochReport(a.Trial.StudyId, a.Trial.TrialId, a.Attempt, m.Epoch, m.Loss,
            m.PositiveSimilarity, m.NearestNegativeSimilarity, m.PenaltyEntropy, m.ValKnnAccuracy, m.LearningRate,
            m.Seconds, m.ImagesPerSecond, attempt.CheckpointPath(m.Epoch, 0), attempt.Device, m.ValUniformity ?? double.NaN, m.ValTolerance ?? double.NaN, m.Tau);
        attempt.Telemetry.Epoch(m, attempt.LastStep);
        // The final epoch cannot be pruned: it travels with the outcome, one message fewer a trial.
        if (m.Epoch == a.Study.Epochs)
        {
            attempt.LastEpoch = report;
            Publish(attempt, "evaluating", attempt.LastStep with { Epoch = m.Epoch, Step = attempt.LastStep.StepsPerEpoch, Loss = m.Loss });
            return EpochVerdict.Continue;
        }
        // An interrupt (a drain, or this silo fencing itself off) ends a delivery the network holds up: the attempt
        // then stops at its next step with a checkpoint, as interrupted, instead of waiting here.
        EpochVerdict? answer = null;
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(entry.Cancel.Token, entry.Interrupt.Token))
        {
            try { delivery.Deliver(async () => answer = await attempt.Coordinator.ReportEpoch(report).WaitAsync(stop.Token), stop.Token); }
            catch (Exception) when (entry.Interrupt.IsCancellationRequested) { return EpochVerdict.Continue; }
            catch (Exception) when (entry.Cancel.IsCancellationRequested) { } // cancelled meanwhile: it stops at its next step
        }
        var verdict = answer ?? EpochVerdict.Stop;
        // Stopped: the cancel reaches a worker process too, ahead of the verdict.
        if (verdict == EpochVerdict.Stop) entry.Cancel.Cancel();
        // The coordinator now resumes this trial from this epoch's checkpoint: the previous one is no longer needed.
        else if (m.Epoch > 1) TryDelete(attempt.CheckpointPath(m.Epoch - 1, 0));
        return verdict;
    }

    void Publish(TrialAttempt attempt, string phase, StepProgress p)
    {
        var a = attempt.Assignment;
        attempt.LastPublished = clock.GetTimestamp();
        store.RecordProgress(new TrialProgressRecord(a.Trial.StudyId, a.Trial.TrialId, a.Attempt, phase, p.Epoch, p.Step,
                p.StepsPerEpoch, p.Loss, p.ImagesPerSecond, clock.GetUtcNow().ToUnixTimeMilliseconds(), attempt.Device))
            .ContinueWith(t => log.LogDebug(t.Exception, "progress of {Trial} not stored", a.Trial.Key), TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>The embeddings go to the store like a report to the coordinator: retried while the database cannot be
    /// reached (a silo cut from it for a while), so that a trial does not fail for the network's fault.</summary>
    void SaveArtifacts(TrialAssignment a, TrainingOutcome outcome, CancellationToken stop)
    {
        if (outcome.Evaluation is not { } evaluation) return;
        var record = new ArtifactRecord(a.Trial.StudyId, a.Trial.TrialId, a.Attempt, evaluation.EmbeddingDimension,
            evaluation.Embeddings, evaluation.Labels, StudyJson.Serialize(evaluation.Similarities, indented: false));
        delivery.Deliver(() => store.SaveArtifacts(record), stop);
    }

    Action? Ended(Running entry, TrialAttempt attempt, TrainingOutcome outcome)
    {
        var a = entry.Assignment;
        attempt.Telemetry.Ended(outcome.Status, outcome.Error);
        var report = new TrialOutcomeReport(a.Trial.StudyId, a.Trial.TrialId, a.Attempt, SiloName, outcome.Status,
            outcome.EpochsCompleted, outcome.Seconds, outcome.Error, MetricsMapping.ToRecord(outcome.Metrics), outcome.Checkpoint, attempt.LastEpoch,
            attempt.Device);
        // An interrupted attempt resumes elsewhere from its checkpoints: they stay.
        return Finish(entry, report, cleanUp: outcome.Status is not TrialStatus.Interrupted ? attempt.Checkpoints : null);
    }

    Action? Failed(Running entry, TrialAttempt attempt, Exception e)
    {
        var a = entry.Assignment;
        log.LogError(e, "trial {Trial} attempt {Attempt} failed on this silo", a.Trial.Key, a.Attempt);
        attempt.Telemetry.Ended(TrialStatus.Failed, e.Message);
        var report = new TrialOutcomeReport(a.Trial.StudyId, a.Trial.TrialId, a.Attempt, SiloName, TrialStatus.Failed, 0, 0,
            $"{e.GetType().Name}: {e.Message}", new MetricsRecord(), null, attempt.LastEpoch, attempt.Device);
        return Finish(entry, report);
    }

    string SiloName => silo.SiloAddress.ToParsableString();

    /// <param name="cleanUp">the trial's checkpoint folder, to empty of this attempt's files once the coordinator has
    /// taken the outcome (a stale attempt's files stay: the trial's next attempt may resume from them)</param>
    /// <returns>nothing to run on the slot thread: the outcome goes out from the thread pool, so that the slot can
    /// take its next trial at once</returns>
    Action? Finish(Running entry, TrialOutcomeReport report, string? cleanUp = null)
    {
        var a = entry.Assignment;
        reporting[a.Trial.Key] = a.Attempt;
        running.TryRemove(a.Trial.Key, out _);
        _ = Task.Run(async () =>
        {
            try
            {
                bool taken = false;
                await delivery.DeliverAsync(async () => taken = await grains.GetGrain<IStudyGrain>(a.Trial.StudyId).ReportOutcome(report));
                if (taken && cleanUp is not null && Directory.Exists(cleanUp))
                {
                    foreach (var file in Directory.GetFiles(cleanUp, CheckpointFiles.PatternOf(a.Attempt))
                                 .Concat(Directory.GetFiles(cleanUp, CheckpointFiles.TemporaryPatternOf(a.Attempt)))) TryDelete(file);
                    // Earlier attempts' files were removed when they ended; an empty folder goes too.
                    try { if (!Directory.EnumerateFileSystemEntries(cleanUp).Any()) Directory.Delete(cleanUp); }
                    catch (IOException) { }
                }
            }
            catch (Exception e) { log.LogError(e, "the outcome of {Trial} attempt {Attempt} could not be reported", a.Trial.Key, a.Attempt); }
            finally
            {
                ((ICollection<KeyValuePair<string, int>>)reporting).Remove(new(a.Trial.Key, a.Attempt));
                entry.Done.TrySetResult();
                _ = grains.GetGrain<ITrialGrain>(a.Trial.Key).Finished(a.Attempt);
            }
        });
        return null;
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Live progress goes to the store at most this often per trial (it is for people watching).</summary>
    const long ProgressIntervalMs = 1000;
}
