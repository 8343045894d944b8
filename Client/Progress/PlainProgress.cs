using Study.Grains;
using Study.Grains.Storage;

namespace Study.Client.Progress;

/// <summary>
/// Progress as plain lines (for pipes and logs; the live view comes from the same polling): a line when a trial
/// starts, finishes an epoch, or ends, read from the store every second.
/// </summary>
public sealed class PlainProgress(IStudyStore store, string studyId, TextWriter output) : IStudyProgress
{
    readonly Dictionary<string, (TrialStatus Status, int Attempt)> seen = new();
    readonly HashSet<(string, int, int)> epochsSeen = new();

    public async Task<StudyRecord?> Follow(Func<Task>? onCancel, CancellationToken cancel, CancellationToken detach)
    {
        bool cancelling = false;
        while (true)
        {
            if (detach.IsCancellationRequested) return null;
            if (cancel.IsCancellationRequested && !cancelling)
            {
                if (onCancel is null) return null;
                cancelling = true;
                await onCancel();
            }
            var study = await store.GetStudy(studyId) ?? throw new InvalidOperationException($"study {studyId} vanished");
            await Print();
            if (StudyStatuses.IsFinal(study.Status)) return study;
            try { await Task.Delay(1000, cancelling ? CancellationToken.None : cancel); }
            catch (OperationCanceledException) { }
        }
    }

    async Task Print()
    {
        var trials = await store.GetTrials(studyId);
        var epochs = await store.GetEpochs(studyId);
        foreach (var e in epochs.Where(e => epochsSeen.Add((e.TrialId, e.Epoch, e.Attempt))))
        {
            output.WriteLine($"{e.TrialId}: epoch {e.Epoch} loss {Numbers.Metric(e.Metrics.Loss)} val_knn_accuracy {Numbers.Fixed(e.Metrics.ValKnnAccuracy, 3)}");
        }
        foreach (var t in trials)
        {
            if (seen.TryGetValue(t.TrialId, out var before) && before == (t.Status, t.Attempt)) continue;
            seen[t.TrialId] = (t.Status, t.Attempt);
            if (t.Status == TrialStatus.Queued && t.Attempt == 0) continue;
            output.WriteLine(t.Status switch
            {
                TrialStatus.Running => $"{t.TrialId}: running (attempt {t.Attempt}) on {t.Silo}{(t.Device is { } d ? $" ({d})" : "")}",
                TrialStatus.Queued => $"{t.TrialId}: queued again (attempt {t.Attempt} ended){(t.Restarts > 0 ? $"; its silo died {t.Restarts} time(s)" : "")}",
                TrialStatus.Failed => $"{t.TrialId}: failed: {t.Error}",
                TrialStatus.Collapsed => $"{t.TrialId}: {t.Error}; stopped after {t.EpochsCompleted} epoch(s)",
                _ => $"{t.TrialId}: {t.Status.Name()} after {t.EpochsCompleted} epoch(s), {Numbers.Seconds(t.DurationSeconds)} s",
            });
        }
        output.Flush();
    }
}
