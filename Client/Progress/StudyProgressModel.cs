using System.Globalization;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Storage;

namespace Study.Client.Progress;

/// <summary>One trial as the live view shows it.</summary>
/// <param name="Fraction">of the trial's training steps done (0–1)</param>
/// <param name="Objective">the final validation objective, else the last epoch's val_knn_accuracy (<paramref name="ObjectiveIsFinal"/> false)</param>
/// <param name="Uniformity">the final test uniformity, else the last epoch's validation uniformity (<paramref name="EmbeddingIsFinal"/>
/// false): a collapse shows as it happens</param>
public sealed record TrialProgressRow(
    string TrialId, string Label, string State, string? Silo, int Epoch, int Epochs, double Fraction, TimeSpan? Eta,
    double? Loss, double? Objective, bool ObjectiveIsFinal, double? Uniformity, double? Tolerance, string? Error, string? Device = null,
    bool EmbeddingIsFinal = true);

/// <summary>A study's progress read from the store: the header figures and a row per trial.</summary>
public sealed record StudyProgressModel(
    StudyRecord Study, StudySpec Spec, IReadOnlyList<TrialProgressRow> Rows, BestTrial? Best,
    int Done, int Running, int Queued, int Failed, double ImagesPerSecond, int Collapsed = 0)
{
    /// <summary>Progress older than this is not counted in the study's images/s (the trial may have stopped).</summary>
    static readonly TimeSpan FreshProgress = TimeSpan.FromSeconds(10);

    public static async Task<StudyProgressModel> Read(IStudyStore store, string studyId)
    {
        var study = await store.GetStudy(studyId) ?? throw new InvalidOperationException($"study {studyId} vanished");
        var spec = global::Study.Grains.Storage.StudySpecJson.Read(study.SpecJson);
        var trials = await store.GetTrials(studyId);
        var lastEpochs = (await store.GetEpochs(studyId)).GroupBy(e => e.TrialId).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Epoch)!);
        var progress = (await store.GetProgress(studyId)).ToDictionary(p => p.TrialId);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rows = trials.Select(t => Row(spec, t, lastEpochs.GetValueOrDefault(t.TrialId),
            progress.TryGetValue(t.TrialId, out var p) && p.Attempt == t.Attempt ? p : null)).ToList();
        double rate = trials.Where(t => t.Status == TrialStatus.Running)
            .Select(t => progress.GetValueOrDefault(t.TrialId))
            .Where(p => p is not null && p.Phase == "training" && now - p.UpdatedMs < FreshProgress.TotalMilliseconds)
            .Sum(p => p!.ImagesPerSecond);
        return new StudyProgressModel(study, spec, rows, StudyAnalysis.Best(spec, trials),
            Done: trials.Count(t => t.Status is TrialStatus.Completed or TrialStatus.Pruned or TrialStatus.Cancelled),
            Running: trials.Count(t => t.Status == TrialStatus.Running),
            // Paused trials (ASHA's rungs) wait for a promotion as queued ones wait for a slot.
            Queued: trials.Count(t => t.Status is TrialStatus.Queued or TrialStatus.Paused) + Math.Max(0, spec.TotalTrials - trials.Count),
            Failed: trials.Count(t => t.Status == TrialStatus.Failed),
            ImagesPerSecond: rate,
            Collapsed: trials.Count(t => t.Status == TrialStatus.Collapsed));
    }

    static TrialProgressRow Row(StudySpec spec, TrialRecord t, EpochRecord? lastEpoch, TrialProgressRecord? p)
    {
        var metrics = StudyAnalysis.Metrics(t);
        double? epochLoss = lastEpoch?.Metrics.Loss, epochKnn = lastEpoch?.Metrics.ValKnnAccuracy;
        int epochs = spec.Epochs;
        string state = t.Status.Name();
        double fraction = t.Status.IsFinal() && t.Status is not (TrialStatus.Failed or TrialStatus.Collapsed)
            ? 1 : (double)t.EpochsCompleted / epochs;
        int epoch = t.EpochsCompleted;
        TimeSpan? eta = null;
        double? loss = metrics?.Loss ?? epochLoss;
        if (t.Status == TrialStatus.Running && p is not null)
        {
            epoch = p.Epoch;
            double stepsDone = (p.Epoch - 1) * (double)p.StepsPerEpoch + p.Step;
            double stepsAll = epochs * (double)p.StepsPerEpoch;
            fraction = stepsAll > 0 ? Math.Clamp(stepsDone / stepsAll, 0, 1) : 0;
            loss = p.Loss;
            if (p.Phase == "evaluating") state = "evaluating";
            else if (p.ImagesPerSecond > 0)
                eta = TimeSpan.FromSeconds((stepsAll - stepsDone) * spec.BatchSize / p.ImagesPerSecond);
        }
        else if (t.Status == TrialStatus.Running) epoch = t.EpochsCompleted + 1;
        else if (t.Status == TrialStatus.Queued && t.Attempt > 0) state = "requeued";
        double? finalObjective = metrics?.Get(spec.ValidationObjective);
        bool embeddingIsFinal = metrics?.Uniformity is not null;
        return new TrialProgressRow(t.TrialId, Label(spec, t), state, ShortSilo(t.Silo), Math.Min(epoch, epochs), epochs, fraction, eta,
            loss, finalObjective ?? epochKnn, finalObjective is not null,
            embeddingIsFinal ? metrics!.Uniformity : lastEpoch?.Metrics.ValUniformity,
            embeddingIsFinal ? metrics!.Tolerance : lastEpoch?.Metrics.ValTolerance, t.Error,
            t.Status == TrialStatus.Running ? p?.Device ?? t.Device : t.Device, embeddingIsFinal);
    }

    /// <summary>"0.07" (a cosine schedule's range: "0.1–1"), with the seed when the study replicates ("0.07 s2"); "-" for
    /// the losses without τ.</summary>
    static string Label(StudySpec spec, TrialRecord t)
    {
        var tau = t.Setting?.Label ?? "-";
        return spec.Seeds > 1 ? $"{tau} s{t.Seed}" : tau;
    }

    /// <summary>An Orleans silo address "10.0.0.5:11111@123456" as "10.0.0.5:11111".</summary>
    static string? ShortSilo(string? silo) => silo?.Split('@')[0];
}
