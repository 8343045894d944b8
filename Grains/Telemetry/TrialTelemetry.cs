using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Study.Grains.Scheduling;
using Study.Training.Trainer;

namespace Study.Grains.Telemetry;

/// <summary>
/// The telemetry of one trial attempt on its slot thread: its span (a child of the span that started it, so it
/// joins the study's trace) with one child span per epoch, its per-trial gauges, the epoch and image counters, and a
/// log line when it starts, at each epoch and when it ends. Disposing ends the spans and the gauges' series.
/// </summary>
public sealed class TrialTelemetry : IDisposable
{
    readonly StudyMetrics metrics;
    readonly TrialSpec trial;
    readonly RunningTrialReading reading;
    readonly KeyValuePair<string, object?>[] slotTags;
    readonly int slotIndex;
    readonly Activity? span;
    readonly bool resumed;
    readonly ILogger log;
    readonly int attempt;
    Activity? epochSpan;
    int epochSpanOf, countedEpoch, countedSteps = -1;

    public TrialTelemetry(StudyMetrics metrics, TrialAssignment assignment, ActivityContext parent, SlotReading slot, string device, ILogger log)
    {
        this.metrics = metrics;
        this.log = log;
        attempt = assignment.Attempt;
        trial = assignment.Trial;
        resumed = assignment.ResumeFrom is not null;
        reading = metrics.TrialStarted(trial);
        slotTags = StudyMetrics.SlotTags(slot);
        slotIndex = slot.Index;
        span = StudyTelemetry.Source.StartActivity("trial " + trial.TrialId, ActivityKind.Internal, parent,
            [new("study.id", trial.StudyId), new("study.trial", trial.TrialId), new("study.tau", trial.Tau), new("study.tau_max", trial.TauMax), new("study.seed", trial.Seed),
             new("study.attempt", assignment.Attempt), new("study.slot", slot.Index), new("study.device", device)]);
        log.LogInformation("trial {Trial} of study {Study} (τ {Tau}, seed {Seed}) attempt {Attempt} started on slot {Slot} ({Device})",
            trial.TrialId, trial.StudyId, trial.Tau, trial.Seed, attempt, slot.Index, device);
    }

    /// <summary>A training step's progress: the loss gauge, the image counter, and the epoch's span.</summary>
    public void Progress(StepProgress p)
    {
        reading.Loss = p.Loss;
        EpochSpan(p.Epoch);
        Count(p.Epoch, p.Step, p.BatchSize);
    }

    /// <summary>An epoch ended: its figures, its span, the epoch counter.</summary>
    public void Epoch(EpochMetrics m, StepProgress last)
    {
        reading.Loss = m.Loss;
        reading.Objective = m.ValKnnAccuracy;
        reading.Uniformity = m.ValUniformity ?? double.NaN;
        reading.Tolerance = m.ValTolerance ?? double.NaN;
        if (last.Epoch == m.Epoch) Count(m.Epoch, last.StepsPerEpoch, last.BatchSize);
        metrics.EpochCompleted(slotIndex);
        var epoch = EpochSpan(m.Epoch);
        epoch?.SetTag("study.loss", m.Loss);
        epoch?.SetTag("study.val_knn_accuracy", m.ValKnnAccuracy);
        EndEpochSpan();
        log.LogInformation("trial {Trial} of study {Study} epoch {Epoch}: loss {Loss:F4}, val kNN accuracy {Objective:F4}, uniformity {Uniformity:F4}, tolerance {Tolerance:F4}",
            trial.TrialId, trial.StudyId, m.Epoch, m.Loss, m.ValKnnAccuracy, m.ValUniformity, m.ValTolerance);
    }

    public void Ended(TrialStatus status, string? error)
    {
        span?.SetTag("study.status", status.Name());
        if (error is not null) span?.SetStatus(ActivityStatusCode.Error, error);
        if (error is null) log.LogInformation("trial {Trial} of study {Study} attempt {Attempt} ended: {Status}", trial.TrialId, trial.StudyId, attempt, status.Name());
        else log.LogWarning("trial {Trial} of study {Study} attempt {Attempt} ended: {Status}: {Error}", trial.TrialId, trial.StudyId, attempt, status.Name(), error);
    }

    public void Dispose()
    {
        EndEpochSpan();
        span?.Dispose();
        metrics.TrialEnded(trial, reading);
    }

    Activity? EpochSpan(int epoch)
    {
        if (epochSpan is not null && epochSpanOf == epoch) return epochSpan;
        EndEpochSpan();
        epochSpanOf = epoch;
        epochSpan = span is null ? null : StudyTelemetry.Source.StartActivity("epoch " + epoch, ActivityKind.Internal, span.Context,
            [new("study.epoch", epoch)]);
        return epochSpan;
    }

    void EndEpochSpan()
    {
        epochSpan?.Dispose();
        epochSpan = null;
    }

    /// <summary>Counts the images of the steps done since the last count. A resumed epoch's first report only sets
    /// where counting starts: the steps before it were counted by the attempt that did them.</summary>
    void Count(int epoch, int step, int batchSize)
    {
        if (epoch != countedEpoch)
        {
            int from = resumed && countedSteps < 0 ? step : 0;
            countedEpoch = epoch;
            countedSteps = from;
            if (from > 0) return;
        }
        if (step > countedSteps) metrics.TrainingImages.Add((long)(step - countedSteps) * batchSize, slotTags);
        countedSteps = Math.Max(countedSteps, step);
    }
}
