using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Study.Grains.Pruning;
using Study.Grains.Running;
using Study.Grains.Sampling;
using Study.Grains.Scheduling;
using Study.Grains.Storage;
using Study.Grains.Telemetry;

namespace Study.Grains.Coordinator;

public sealed partial class StudyGrain
{
    /// <summary>
    /// One round of coordination: cancel if asked, notice trials whose silo died, free finished slots, propose τ
    /// if the search is adaptive, start queued trials on reserved slots, and end the study when nothing is left.
    /// </summary>
    /// <param name="checkLost">look for trials whose silo died or forgot them (on the timer; not on every outcome)</param>
    async Task Drive(bool checkLost = true)
    {
        if (Active) await DriveRound(checkLost);
        if (spec is not null) telemetry.SetStudyProgress(StudyId, Progress());
    }

    StudyMetrics.StudyProgress Progress()
    {
        long done = 0, left = (long)Math.Max(0, spec!.TotalTrials - trials.Count) * spec.Epochs;
        foreach (var t in trials.All)
        {
            done += t.Record.EpochsCompleted;
            if (!TrialStatuses.IsFinal(t.Record.Status)) left += Math.Max(0, spec.Epochs - t.Record.EpochsCompleted);
        }
        return new(new Dictionary<string, int>(trials.CountsByStatus), done, left);
    }

    async Task DriveRound(bool checkLost)
    {
        if (cancelRequested) await CancelTrials();
        if (checkLost)
        {
            await RequeueLostTrials();
            await RequeueVanishedTrials();
        }
        if (toRelease.Count > 0)
        {
            var keys = toRelease.ToArray();
            toRelease.Clear();
            await Scheduler.Release(keys);
        }
        if (!cancelRequested)
        {
            await PromotePausedTrials(finishing: 0);
            await StartQueuedTrials();
        }
        await FinishIfDone();
    }

    /// <summary>The study spec as trials need it: without the τ grid, which may hold thousands of values.</summary>
    StudySpec TrialSpecOfStudy => trialSpecOfStudy ??= spec! with { Taus = [], TauRanges = null };
    StudySpec? trialSpecOfStudy;

    async Task StartQueuedTrials()
    {
        int room = (spec!.Parallel ?? int.MaxValue) - trials.Running.Count;
        if (room <= 0) return;
        if (trials.QueuedCount < room && sampler is { ProposesOnDemand: true, Remaining: > 0 }) await ProposeTrials(room);
        var granted = await ReserveSlots(room);
        if (granted.Count == 0) return;
        await StoreNewAttempts(granted);
        await StartOnTheirSilos(granted);
    }

    /// <summary>New τ for the slots that are free and the queue does not fill (a search that proposes on demand).</summary>
    async Task ProposeTrials(int room)
    {
        int wanted = Math.Min(room, await Scheduler.FreeSlots()) - trials.QueuedCount;
        if (wanted <= 0) return;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pending = trials.Running.Concat(trials.Queued).Where(t => t.Record.Setting is not null).Select(t => t.Record.Setting!.Value).ToHashSet();
        var proposals = sampler!.Propose((wanted + spec!.Seeds - 1) / spec.Seeds, pending);
        metrics.RecordProposal(clock.Elapsed, proposals.Count);
        RecordProposalTime(clock.Elapsed);
        var added = NewTrials([.. proposals.Select(t => (TauSetting?)t)]);
        try { if (added.Count > 0) await store.AddTrials(added.Select(t => t.Record).ToList()); }
        catch
        {
            // Not stored, so not proposed: the sampler goes back to what the stored trials say.
            sampler = SamplerOf(trials.All.Select(t => t.Record));
            throw;
        }
        foreach (var trial in added) trials.Add(trial);
    }

    /// <summary>The queued trials the slot scheduler grants a slot to now.</summary>
    async Task<List<(TrialState Trial, SlotGrant Grant)>> ReserveSlots(int room)
    {
        // Ask for a little more than could be running: a reservation request of thousands of keys costs more to send
        // than the few grants it brings.
        var candidates = trials.Queued.Take(Math.Min(room, Math.Max(64, 2 * trials.Running.Count + 32))).ToList();
        if (candidates.Count == 0) return [];
        var grants = await Scheduler.Reserve(candidates.Select(t => t.Key).ToArray());
        var byKey = candidates.ToDictionary(t => t.Key);
        return grants.Select(g => (Trial: byKey[g.TrialKey], Grant: g)).ToList();
    }

    /// <summary>The new attempts are stored before they start, so that the store fences out every older attempt.</summary>
    async Task StoreNewAttempts(List<(TrialState Trial, SlotGrant Grant)> granted)
    {
        await Task.WhenAll(granted.Select(s => Save(s.Trial, s.Trial.Record with
        {
            Status = TrialStatuses.Running, Attempt = s.Trial.Record.Attempt + 1, Silo = s.Grant.Silo.ToParsableString(),
            StartedMs = s.Trial.Record.StartedMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        })));
        foreach (var (trial, grant) in granted)
        {
            trial.Silo = grant.Silo;
            trial.CancelSent = false;
            trial.AttemptSeen = DateTime.UtcNow;
            trial.MissingSince = null;
        }
    }

    /// <summary>Starts each attempt on the silo its slot is on; one that does not start is queued again.</summary>
    async Task StartOnTheirSilos(List<(TrialState Trial, SlotGrant Grant)> granted)
    {
        var calls = new List<Task<bool>>();
        foreach (var (trial, grant) in granted)
        {
            // A timer drives this: the study's own trace context parents the call, so the trial joins the study's trace.
            using var span = StudyTelemetry.Source.StartActivity("start trial " + trial.Record.TrialId, ActivityKind.Internal,
                StudyTelemetry.ContextOf(spec!.TraceParent), [new("study.id", StudyId), new("study.trial", trial.Record.TrialId)]);
            RequestContext.Set(SlotPlacementDirector.GrantKey, grant.Silo);
            calls.Add(GrainFactory.GetGrain<ITrialGrain>(trial.Key)
                .Start(new TrialAssignment(trial.Spec, TrialSpecOfStudy, trial.Record.Attempt, trial.Record.CheckpointPath)));
            RequestContext.Remove(SlotPlacementDirector.GrantKey);
        }
        for (int i = 0; i < calls.Count; i++)
        {
            bool ok;
            try { ok = await calls[i]; }
            catch (Exception e) { log.LogWarning(e, "starting {Trial} failed", granted[i].Trial.Key); ok = false; }
            if (ok) continue;
            var trial = granted[i].Trial;
            await Save(trial, trial.Record with { Status = TrialStatuses.Queued });
            trial.Silo = null;
            toRelease.Add(trial.Key);
            // No immediate retry: the next round (a second later) places it, by then away from a silo that stopped
            // reporting; retrying at once spun new attempts against a silo that had just died.
        }
    }

    /// <summary>Trials whose silo membership no longer lists as alive: resumed elsewhere from their last checkpoint,
    /// or failed once their silo has died more than --max-restarts times.</summary>
    async Task RequeueLostTrials()
    {
        var snapshot = membership.CurrentSnapshot;
        var now = DateTime.UtcNow;
        foreach (var trial in trials.Running.ToList())
        {
            var silo = trial.Silo ?? (trial.Record.Silo is { } text ? SiloAddress.FromParsableString(text) : null);
            if (!SiloLiveness.IsLost(silo, silo is null ? SiloStatus.None : snapshot.GetSiloStatus(silo), now - trial.AttemptSeen)) continue;
            await Restart(trial, $"its silo {silo} is gone", "its silo died");
        }
    }

    /// <summary>
    /// Trials whose (live) silo keeps reporting that it does not run them: the attempt's outcome was lost on the way
    /// (say, while this coordinator moved off a dead silo). After a grace period they are resumed as after a silo death.
    /// </summary>
    async Task RequeueVanishedTrials()
    {
        var now = DateTime.UtcNow;
        var candidates = trials.Running
            .Where(t => t.Silo is not null && now - t.AttemptSeen > VanishGrace)
            .ToDictionary(t => t.Key, t => t.Silo!);
        if (candidates.Count == 0) return;
        var absent = (await Scheduler.Absent(candidates)).ToHashSet();
        foreach (var trial in trials.Running.Where(t => candidates.ContainsKey(t.Key)).ToList())
        {
            if (!absent.Contains(trial.Key)) { trial.MissingSince = null; continue; }
            trial.MissingSince ??= now;
            if (now - trial.MissingSince < VanishGrace) continue;
            await Restart(trial, $"its silo no longer runs attempt {trial.Record.Attempt}", "its attempts were lost");
        }
    }

    /// <summary>
    /// A trial whose attempt was lost goes back to the queue, to resume from its last checkpoint on another silo; once
    /// that has happened more than --max-restarts times it fails, so one poisonous trial cannot take the silos down.
    /// </summary>
    /// <param name="cause">what happened, for the log</param>
    /// <param name="lossName">the loss as the failure message counts it ("its silo died")</param>
    async Task Restart(TrialState trial, string cause, string lossName)
    {
        int restarts = trial.Record.Restarts + 1;
        bool giveUp = restarts > spec!.MaxRestarts;
        if (!giveUp && !cancelRequested) telemetry.Restarts.Add(1);
        log.LogWarning("trial {Trial}: {Cause} ({Restarts} time(s)); {Action}", trial.Key, cause, restarts, giveUp ? "failed" : "resuming it elsewhere");
        await Save(trial, trial.Record with
        {
            Restarts = restarts,
            Status = cancelRequested ? TrialStatuses.Cancelled : giveUp ? TrialStatuses.Failed : TrialStatuses.Queued,
            Error = giveUp ? $"{lossName} {restarts} times (more than --max-restarts {spec.MaxRestarts})" : trial.Record.Error,
        });
        trial.Silo = null;
        toRelease.Add(trial.Key);
    }

    static readonly TimeSpan VanishGrace = TimeSpan.FromSeconds(10);

    /// <summary>Paused trials the pruner promotes go back to the queue, to resume from the checkpoint they paused at.</summary>
    /// <returns>whether any was promoted</returns>
    async Task<bool> PromotePausedTrials(int finishing)
    {
        var paused = Paused.ToDictionary(t => t.Record.TrialId, t => t.Record.EpochsCompleted);
        if (paused.Count == 0) return false;
        var promoted = pruner.Promotions(paused, spec!.Epochs, PrunerHistory(), finishing);
        foreach (var id in promoted)
            if (trials.TryGet(id, out var trial)) await Save(trial, trial.Record with { Status = TrialStatuses.Queued });
        return promoted.Count > 0;
    }

    IEnumerable<TrialState> Paused => trials.All.Where(t => t.Status == TrialStatuses.Paused).ToList();

    async Task CancelTrials()
    {
        foreach (var trial in trials.Queued.Concat(Paused).ToList())
            await Save(trial, trial.Record with { Status = TrialStatuses.Cancelled });
        foreach (var trial in trials.Running.Where(t => !t.CancelSent))
        {
            trial.CancelSent = true;
            GrainFactory.GetGrain<ITrialGrain>(trial.Key).Cancel(trial.Record.Attempt).Ignore();
        }
    }

    async Task FinishIfDone()
    {
        if (trials.QueuedCount > 0 || trials.Running.Count > 0) return;
        if (!cancelRequested && sampler is { ProposesOnDemand: true, Remaining: > 0 }) return;
        if (!cancelRequested && trials.CountOf(TrialStatuses.Paused) > 0)
        {
            // Nothing else to run: the most promising paused trials go on until the pruner's finalists have completed;
            // the rest end here.
            int wanted = pruner.Finalists - trials.CountOf(TrialStatuses.Completed);
            if (wanted > 0 && await PromotePausedTrials(finishing: wanted)) return;
            foreach (var trial in Paused) await Save(trial, trial.Record with { Status = TrialStatuses.Pruned });
        }
        if (trials.Unfinished > 0) return;
        status = cancelRequested ? StudyStatuses.Cancelled
            : trials.CountOf(TrialStatuses.Completed) + trials.CountOf(TrialStatuses.Pruned) > 0 ? StudyStatuses.Completed
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

    string NoTrialCompleted() => trials.CountOf(TrialStatuses.Collapsed) is > 0 and var collapsed
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
