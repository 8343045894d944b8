using Microsoft.Extensions.Logging;
using Study.Grains.Running;
using Study.Grains.Storage;

namespace Study.Grains.Coordinator;

/// <summary>How a study ends: once nothing is queued, running or left to propose, ASHA's finalists completed and the
/// rest of the paused trials pruned, its status and summary are stored and its checkpoints removed.</summary>
public sealed partial class StudyGrain
{
    async Task FinishIfDone()
    {
        if (trials.QueuedCount > 0 || trials.Running.Count > 0) return;
        if (!cancelRequested && sampler is { ProposesOnDemand: true, Remaining: > 0 }) return;
        if (!cancelRequested && trials.CountOf(TrialStatus.Paused) > 0)
        {
            // Nothing else to run: the most promising paused trials go on until the pruner's finalists have completed;
            // the rest end here.
            int wanted = pruner.Finalists - trials.CountOf(TrialStatus.Completed);
            if (wanted > 0 && await PromotePausedTrials(finishing: wanted)) return;
            foreach (var trial in Paused) await Save(trial, trial.Record with { Status = TrialStatus.Pruned });
        }
        if (trials.Unfinished > 0) return;
        status = cancelRequested ? StudyStatuses.Cancelled
            : trials.CountOf(TrialStatus.Completed) + trials.CountOf(TrialStatus.Pruned) > 0 ? StudyStatuses.Completed
            : StudyStatuses.Failed;
        var error = status == StudyStatuses.Failed ? NoTrialCompleted() : null;
        await store.SetStudyStatus(StudyId, status, StudyAnalysis.SummaryJson(spec!, trials.All.Select(t => t.Record).ToList()), error);
        if (toRelease.Count > 0) { await Scheduler.Release(toRelease.ToArray()); toRelease.Clear(); }
        ticker?.Dispose();
        ticker = null;
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
        log.LogInformation("study {Study} {Status}", StudyId, status);
        RemoveCheckpoints();
    }

    string NoTrialCompleted() => trials.CountOf(TrialStatus.Collapsed) is > 0 and var collapsed
        ? $"no trial completed ({collapsed} collapsed)" : "no trial completed";

    /// <summary>
    /// An ended study cannot be resumed, so none of its checkpoints is needed: those of attempts that were
    /// interrupted or died, and unfinished writes, go with the rest (off the grain's turn: it may be many files).
    /// </summary>
    void RemoveCheckpoints()
    {
        var folder = CheckpointFiles.StudyFolder(runtime.Artifacts, StudyId);
        var studyId = StudyId;
        _ = Task.Run(async () =>
        {
            // A slot thread may be removing its attempt's own files at the same moment, and a recursive delete that
            // finds a file gone gives up: try again on what is left.
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                    return;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    if (attempt < 5) { await Task.Delay(200 * attempt); continue; }
                    log.LogWarning("study {Study}: its checkpoints in {Folder} could not all be removed ({Error})", studyId, folder, e.Message);
                    return;
                }
            }
        });
    }
}
