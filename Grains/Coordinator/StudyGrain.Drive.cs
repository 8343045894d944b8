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
            if (!t.Record.Status.IsFinal()) left += Math.Max(0, spec.Epochs - t.Record.EpochsCompleted);
        }
        return new(trials.CountsByStatus.ToDictionary(c => c.Key.Name(), c => c.Value), done, left);
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
        await StartOnTheirSilos(await StoreNewAttempts(granted));
    }

    /// <summary>New τ for the slots that are free and the queue does not fill (a search that proposes on demand).</summary>
    async Task ProposeTrials(int room)
    {
        int wanted = Math.Min(room, await Scheduler.FreeSlots()) - trials.QueuedCount;
        if (wanted <= 0) return;
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var pending = trials.Running.Concat(trials.Queued).Where(t => t.Record.Setting is not null).Select(t => t.Record.Setting!.Value).ToHashSet();
        var proposals = sampler!.Propose((wanted + spec!.Seeds - 1) / spec.Seeds, pending);
        metrics.RecordProposal(timer.Elapsed, proposals.Count);
        RecordProposalTime(timer.Elapsed);
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
        var now = Now;
        var candidates = trials.Queued.Where(t => t.NotBefore <= now).Take(Math.Min(room, Math.Max(64, 2 * trials.Running.Count + 32))).ToList();
        if (candidates.Count == 0) return [];
        var grants = await Scheduler.Reserve(candidates.Select(t => t.Key).ToArray());
        var byKey = candidates.ToDictionary(t => t.Key);
        return grants.Select(g => (Trial: byKey[g.TrialKey], Grant: g)).ToList();
    }

    /// <summary>The new attempts are stored before they start, so that the store fences out every older attempt. Only
    /// those the store took start: one it refused is another activation's, and one it failed to store is released, to
    /// be placed again next round.</summary>
    async Task<List<(TrialState Trial, SlotGrant Grant)>> StoreNewAttempts(List<(TrialState Trial, SlotGrant Grant)> granted)
    {
        var stored = new List<(TrialState Trial, SlotGrant Grant)>();
        var saves = granted.Select(async s =>
        {
            if (!await Save(s.Trial, s.Trial.Record with
                {
                    Status = TrialStatus.Running, Attempt = s.Trial.Record.Attempt + 1, Silo = s.Grant.Silo.ToParsableString(),
                    StartedMs = s.Trial.Record.StartedMs ?? clock.GetUtcNow().ToUnixTimeMilliseconds(),
                }))
                return;
            s.Trial.Silo = s.Grant.Silo;
            s.Trial.CancelSent = false;
            s.Trial.AttemptSeen = Now;
            s.Trial.MissingSince = null;
            s.Trial.SeenDeadSince = null;
            stored.Add(s);
        }).ToList();
        try { await Task.WhenAll(saves); }
        catch (Exception e) { log.LogWarning(e, "study {Study}: storing {Count} new attempt(s) failed", StudyId, saves.Count(t => t.IsFaulted)); }
        // A refused attempt whose row now shows another attempt running keeps the slot key for that attempt's outcome.
        foreach (var (trial, _) in granted.Except(stored).Where(s => s.Trial.Status != TrialStatus.Running)) toRelease.Add(trial.Key);
        return stored;
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
            var trial = granted[i].Trial;
            string? failure = null;
            try { if (!await calls[i]) failure = "its silo did not take it"; }
            catch (Exception e)
            {
                log.LogWarning(e, "starting {Trial} failed", trial.Key);
                failure = e.Message;
                // A start that timed out may have started after all: that attempt is stale now.
                if (e is TimeoutException) GrainFactory.GetGrain<ITrialGrain>(trial.Key).Cancel(trial.Record.Attempt).Ignore();
            }
            if (failure is not null) await StartFailed(trial, failure);
        }
    }

    /// <summary>
    /// A failed start counts as a restart (toward --max-restarts), and the trial waits before its next try, longer
    /// after each failure (1 s, 2 s, 4 s … up to a minute, ± a quarter at random, so that many trials that failed
    /// together do not all come back together): a start that keeps failing ends the trial, not the silos' time.
    /// </summary>
    async Task StartFailed(TrialState trial, string failure)
    {
        await Restart(trial, $"its start failed ({failure})", $"its start failed ({failure})");
        double seconds = Math.Min(60, Math.Pow(2, trial.Record.Restarts - 1)) * (0.75 + 0.5 * Random.Shared.NextDouble());
        trial.NotBefore = Now + TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Trials whose silo membership no longer lists as alive: resumed elsewhere from their last checkpoint,
    /// or failed once their silo has died more than --max-restarts times.</summary>
    async Task RequeueLostTrials()
    {
        var snapshot = membership.CurrentSnapshot;
        var now = Now;
        foreach (var trial in trials.Running.ToList())
        {
            var silo = trial.Silo;
            var status = silo is null ? SiloStatus.None : snapshot.GetSiloStatus(silo);
            trial.SeenDeadSince = status == SiloStatus.Dead ? trial.SeenDeadSince ?? now : null;
            if (!SiloLiveness.IsLost(silo, status, now - trial.AttemptSeen, now - trial.SeenDeadSince)) continue;
            await Restart(trial, $"its silo {silo} is gone", "its silo died");
        }
    }

    /// <summary>
    /// Trials whose (live) silo keeps reporting that it does not run them: the attempt's outcome was lost on the way
    /// (say, while this coordinator moved off a dead silo). After a grace period they are resumed as after a silo death.
    /// </summary>
    async Task RequeueVanishedTrials()
    {
        var now = Now;
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
            Status = cancelRequested ? TrialStatus.Cancelled : giveUp ? TrialStatus.Failed : TrialStatus.Queued,
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
            if (trials.TryGet(id, out var trial)) await Save(trial, trial.Record with { Status = TrialStatus.Queued });
        return promoted.Count > 0;
    }

    IEnumerable<TrialState> Paused => trials.All.Where(t => t.Status == TrialStatus.Paused).ToList();

    async Task CancelTrials()
    {
        foreach (var trial in trials.Queued.Concat(Paused).ToList())
            await Save(trial, trial.Record with { Status = TrialStatus.Cancelled });
        foreach (var trial in trials.Running.Where(t => !t.CancelSent))
        {
            trial.CancelSent = true;
            GrainFactory.GetGrain<ITrialGrain>(trial.Key).Cancel(trial.Record.Attempt).Ignore();
        }
    }
}
