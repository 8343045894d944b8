using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Study.Grains.Pruning;
using Study.Grains.Running;
using Study.Grains.Sampling;
using Study.Grains.Scheduling;
using Study.Grains.Storage;
using Study.Grains.Telemetry;
using Study.Training.Losses;

namespace Study.Grains.Coordinator;

/// <summary>
/// The coordinator of one study (key: study id). It keeps its state in the store and rebuilds it from there on
/// activation, so it survives the loss of its silo and a restart of the whole cluster (a reminder drives it again).
/// It proposes τ (a sampler), starts trials on reserved slots up to --parallel, hears every epoch (a pruner may stop
/// the trial) and every outcome, restarts trials whose silo died from their last checkpoint, and ends the study.
/// </summary>
public sealed partial class StudyGrain(IStudyStore store, IClusterMembershipService membership, CoordinatorMetrics metrics,
    StudyMetrics telemetry, RuntimeOptions runtime, TimeProvider clock, ILogger<StudyGrain> log)
    : Grain, IStudyGrain, IRemindable
{
    const string ReminderName = "drive";
    static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    StudySpec? spec;
    string status = StudyStatuses.Queued;
    bool cancelRequested;
    readonly TrialBook trials = new();
    readonly Dictionary<string, Dictionary<int, double>> epochValues = new();
    readonly List<string> toRelease = [];
    /// <summary>Trials told to pause at this epoch: their interrupted outcome parks them as paused, not queued.</summary>
    readonly HashSet<string> pausing = [];
    ITauSampler? sampler;
    DateTime Now => clock.GetUtcNow().UtcDateTime;
    ITrialPruner pruner = new NoPruner();
    IGrainTimer? ticker;
    bool driveRequested;

    string StudyId => this.GetPrimaryKeyString();
    ISlotSchedulerGrain Scheduler => GrainFactory.GetGrain<ISlotSchedulerGrain>(0);
    bool Active => spec is not null && !StudyStatuses.IsFinal(status);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetStudy(StudyId);
        if (stored is null) return;
        await Restore(stored);
        if (Active) StartTicking();
    }

    public async Task<StudySnapshot> Start(StudySpec newSpec)
    {
        if (spec is not null)
        {
            // The same submission again (a client retrying after a timeout) gets the study; another spec under a taken
            // id must not silently join it.
            if (!StudySpecRules.SameSubmission(spec, newSpec with { StudyId = StudyId }))
                throw new ArgumentException($"study id '{StudyId}' is taken by another study");
            return Snapshot();
        }
        StudySpecRules.Check(newSpec with { StudyId = StudyId });
        // The span that started the study (the client's, through activity propagation) parents every span of it.
        spec = newSpec with { StudyId = StudyId, TraceParent = newSpec.TraceParent ?? Activity.Current?.Id };
        sampler = CreateSampler(spec);
        pruner = TrialPruners.Create(spec);
        status = StudyStatuses.Running;
        var initial = sampler is null ? NewTrials([null]) : sampler.ProposesOnDemand ? [] : NewTrials([.. ProposeAll().Select(t => (TauSetting?)t)]);
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await store.CreateStudy(new StudyRecord(StudyId, status, now, now, StudySpecJson.Write(spec)),
            initial.Select(t => t.Record).ToList());
        foreach (var trial in initial) trials.Add(trial);
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartTicking();
        // The study exists now: a failure of its first round (the store did not answer) is the timer's to retry,
        // not the caller's error.
        try { await Drive(); }
        catch (Exception e) when (e is not ArgumentException) { log.LogWarning(e, "study {Study}: its first round failed; the timer drives it again", StudyId); }
        return Snapshot();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        telemetry.ForgetStudy(StudyId);
        return Task.CompletedTask;
    }

    public async Task<StudySnapshot> Resume()
    {
        if (spec is null) throw new InvalidOperationException($"no study '{StudyId}'");
        if (!Active) return Snapshot();
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        StartTicking();
        await Drive();
        return Snapshot();
    }

    public async Task<StudySnapshot> Cancel()
    {
        if (!Active) return Snapshot();
        cancelRequested = true;
        await store.RequestCancel(StudyId);
        await Drive();
        return Snapshot();
    }

    public Task<StudySnapshot> GetSnapshot() => Task.FromResult(Snapshot());

    public Task Poke()
    {
        driveRequested = false;
        return Drive(checkLost: false);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Active)
        {
            if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
            return;
        }
        StartTicking();
        await Drive();
    }

    public async Task<EpochVerdict> ReportEpoch(EpochReport r)
    {
        if (!trials.TryGet(r.TrialId, out var trial) || trial.Record.Attempt != r.Attempt || trial.Status != TrialStatus.Running)
            return EpochVerdict.Stop;
        await RecordEpoch(trial, r);
        if (cancelRequested) return EpochVerdict.Stop;
        var completed = trials.All.Where(t => t.Status == TrialStatus.Completed).Select(t => t.Record.TrialId).ToHashSet();
        var verdict = pruner.Decide(r.TrialId, r.Epoch, spec!.Epochs, PrunerHistory(), completed);
        if (verdict == EpochVerdict.Pause) pausing.Add(r.TrialId);
        return verdict;
    }

    async Task RecordEpoch(TrialState trial, EpochReport r)
    {
        await store.RecordEpoch(new EpochRecord(StudyId, r.TrialId, r.Attempt, r.ToEpochMetrics()));
        await Save(trial, trial.Record with
        {
            EpochsCompleted = Math.Max(trial.Record.EpochsCompleted, r.Epoch), CheckpointPath = r.CheckpointPath ?? trial.Record.CheckpointPath,
            Device = r.Device ?? trial.Record.Device,
        });
        if (!epochValues.TryGetValue(r.TrialId, out var values)) epochValues[r.TrialId] = values = new();
        values[r.Epoch] = r.ValKnnAccuracy;
        if (trial.Record.Setting is { } tau) sampler?.ObserveEpoch(tau, r.Epoch, r.ValKnnAccuracy);
    }

    public async Task<bool> ReportOutcome(TrialOutcomeReport o)
    {
        if (!trials.TryGet(o.TrialId, out var trial) || trial.Record.Attempt != o.Attempt) return false; // a stale attempt
        // A repeated report changes nothing; it was taken if the attempt ended the trial (a trial queued again after
        // its silo was thought lost resumes from this attempt's checkpoint).
        if (trial.Status != TrialStatus.Running) return trial.Status.IsFinal();
        if (o.LastEpoch is { } last) await RecordEpoch(trial, last);
        var record = trial.Record with
        {
            EpochsCompleted = Math.Max(trial.Record.EpochsCompleted, o.EpochsCompleted),
            DurationSeconds = trial.Record.DurationSeconds + o.Seconds,
            Silo = o.Silo,
            Device = o.Device ?? trial.Record.Device,
        };
        record = o.Status switch
        {
            TrialStatus.Completed => record with { Status = o.Status, MetricsJson = MetricsJson(o.Metrics), Error = null },
            TrialStatus.Pruned or TrialStatus.Cancelled => record with { Status = o.Status, MetricsJson = MetricsJson(o.Metrics) },
            TrialStatus.Failed or TrialStatus.Collapsed => record with { Status = o.Status, MetricsJson = MetricsJson(o.Metrics), Error = o.Error },
            // Stopped at a rung, as asked: it waits there with this epoch's checkpoint for a promotion.
            TrialStatus.Interrupted when pausing.Remove(o.TrialId) && !cancelRequested && o.CheckpointPath is not null =>
                record with { Status = TrialStatus.Paused, CheckpointPath = o.CheckpointPath, MetricsJson = MetricsJson(o.Metrics) },
            // Moved off a stopping silo: queued again, to resume from the checkpoint it wrote when it stopped.
            _ => record with { Status = cancelRequested ? TrialStatus.Cancelled : TrialStatus.Queued, CheckpointPath = o.CheckpointPath ?? trial.Record.CheckpointPath },
        };
        if (o.Status != TrialStatus.Interrupted) pausing.Remove(o.TrialId);
        if (!await Save(trial, record)) return false;
        trial.Silo = null;
        toRelease.Add(trial.Key);
        if (trial.Status == TrialStatus.Completed && record.Setting is { } tau && o.Metrics.ToTrialMetrics().Get(spec!.ValidationObjective) is { } value)
            sampler?.Observe(tau, value);
        if (trial.Status == TrialStatus.Collapsed && record.Setting is { } collapsedAt) sampler?.ObserveCollapse(collapsedAt);
        RequestDrive();
        return true;
    }

    /// <summary>Each trial's validation kNN accuracy by epoch, as the pruners rank it: a collapsed trial's at the bottom.</summary>
    IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> PrunerHistory() => epochValues.ToDictionary(h => h.Key,
        h => trials.TryGet(h.Key, out var t) && t.Status == TrialStatus.Collapsed
            ? (IReadOnlyDictionary<int, double>)h.Value.ToDictionary(e => e.Key, _ => double.NegativeInfinity)
            : h.Value);

    static string MetricsJson(MetricsRecord m) => JsonSerializer.Serialize(m, StudyJson.Compact);

    /// <summary>Runs <see cref="Drive"/> once after the messages already queued (several outcomes, one round).</summary>
    void RequestDrive()
    {
        if (driveRequested) return;
        driveRequested = true;
        this.AsReference<IStudyGrain>().Poke().Ignore();
    }

    void StartTicking() => ticker ??= this.RegisterGrainTimer(async _ =>
    {
        var stored = await store.GetStudy(StudyId);
        if (stored?.CancelRequested == true) cancelRequested = true;
        await Drive();
    }, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { KeepAlive = true });

    StudySnapshot Snapshot() => new(StudyId, status, trials.QueuedCount + trials.CountOf(TrialStatus.Paused), trials.Running.Count,
        trials.CountOf(TrialStatus.Completed) + trials.CountOf(TrialStatus.Pruned) + trials.CountOf(TrialStatus.Collapsed),
        trials.CountOf(TrialStatus.Failed),
        spec?.TotalTrials ?? 0);

    /// <summary>Store first, then memory: when the store refuses the write (another activation wrote the row since,
    /// or the row is not in the state this one last saw), the stored row is what this one keeps.</summary>
    async Task<bool> Save(TrialState trial, TrialRecord record)
    {
        if (await store.UpdateTrial(record, trial.Record.Attempt, trial.Record.Status))
        {
            trials.Set(trial, record);
            return true;
        }
        log.LogWarning("trial {Trial}: stored attempt differs from {Attempt}; the store was written by another activation",
            trial.Key, trial.Record.Attempt);
        if ((await store.GetTrials(StudyId)).FirstOrDefault(t => t.TrialId == trial.Record.TrialId) is { } stored)
        {
            trials.Set(trial, stored);
            trial.Silo = TrialState.StoredSilo(stored);
            trial.AttemptSeen = Now;
        }
        return false;
    }

    /// <summary>null for a loss without τ: it has one trial per seed, and nothing to search.</summary>
    static ITauSampler? CreateSampler(StudySpec s) => s.UsesTau ? TauSamplers.Create(s) : null;

    /// <summary>Trials for new τ values or ranges (null: a loss without τ), one per seed each. Not yet in the book: they
    /// join it once the store has them.</summary>
    /// <summary>A grid's or random search's every τ, proposed once at the start (and timed, as on-demand proposals are).</summary>
    IReadOnlyList<TauSetting> ProposeAll()
    {
        var timer = Stopwatch.StartNew();
        var taus = sampler!.Propose(int.MaxValue);
        RecordProposalTime(timer.Elapsed);
        return taus;
    }

    void RecordProposalTime(TimeSpan elapsed) =>
        telemetry.ProposalDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("search", SettingName.Of(spec!.Search)));

    List<TrialState> NewTrials(IReadOnlyList<TauSetting?> taus)
    {
        var created = new List<TrialState>();
        foreach (var tau in taus)
            for (int s = 0; s < spec!.Seeds; s++)
            {
                int index = trials.Count + created.Count;
                long seed = spec.Seed + s;
                var id = TrialNaming.TrialId(index, tau, seed, spec.Loss);
                created.Add(new TrialState(new TrialRecord(StudyId, id, index, tau?.Tau, seed, TrialStatus.Queued, TauMax: tau?.TauMax), Now));
            }
        return created;
    }
}
