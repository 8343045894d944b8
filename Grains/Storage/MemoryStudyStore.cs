namespace Study.Grains.Storage;

/// <summary>The store in process memory: for benchmarks and tests of the runtime. Same contract as the SQL stores.</summary>
/// <param name="clock">what leases expire by (tests pass a fake one)</param>
public sealed class MemoryStudyStore(TimeProvider? clock = null) : IStudyStore
{
    readonly object gate = new();
    readonly Dictionary<string, StudyRecord> studies = new();
    readonly Dictionary<(string, string), TrialRecord> trials = new();
    readonly Dictionary<(string, string, int), EpochRecord> epochs = new();
    readonly Dictionary<(string, string), ArtifactRecord> artifacts = new();
    readonly Dictionary<(string, string), TrialProgressRecord> progress = new();

    readonly TimeProvider clock = clock ?? TimeProvider.System;
    long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public Task EnsureSchema(CancellationToken cancel = default) => Task.CompletedTask;

    public Task<bool> CreateStudy(StudyRecord study, IReadOnlyList<TrialRecord> initial)
    {
        lock (gate)
        {
            if (!studies.TryAdd(study.StudyId, study)) return Task.FromResult(false);
            foreach (var t in initial) trials[(t.StudyId, t.TrialId)] = t;
            return Task.FromResult(true);
        }
    }

    public Task<StudyRecord?> GetStudy(string studyId)
    {
        lock (gate) return Task.FromResult(studies.GetValueOrDefault(studyId));
    }

    public Task<IReadOnlyList<StudyRecord>> ListStudies()
    {
        lock (gate) return Task.FromResult<IReadOnlyList<StudyRecord>>(studies.Values.OrderBy(s => s.CreatedMs).ToList());
    }

    public Task SetStudyStatus(string studyId, string status, string? bestJson, string? error)
    {
        lock (gate)
            if (studies.TryGetValue(studyId, out var s))
                studies[studyId] = s with { Status = status, BestJson = bestJson, Error = error, UpdatedMs = Now };
        return Task.CompletedTask;
    }

    public Task RequestCancel(string studyId)
    {
        lock (gate)
            if (studies.TryGetValue(studyId, out var s)) studies[studyId] = s with { CancelRequested = true, UpdatedMs = Now };
        return Task.CompletedTask;
    }

    public Task<LeaseResult> TryAcquireLease(string studyId, string owner, TimeSpan ttl, Func<string, bool> ownerIsGone)
    {
        lock (gate)
        {
            if (!studies.TryGetValue(studyId, out var s)) return Task.FromResult(new LeaseResult(LeaseOutcome.NoSuchStudy, null));
            bool free = s.LeaseOwner is null || s.LeaseOwner == owner || s.LeaseExpiresMs < Now || ownerIsGone(s.LeaseOwner);
            if (!free) return Task.FromResult(new LeaseResult(LeaseOutcome.HeldByOther, s.LeaseOwner));
            studies[studyId] = s with { LeaseOwner = owner, LeaseExpiresMs = Now + (long)ttl.TotalMilliseconds };
            return Task.FromResult(new LeaseResult(LeaseOutcome.Acquired, owner));
        }
    }

    public Task<bool> RenewLease(string studyId, string owner, TimeSpan ttl)
    {
        lock (gate)
        {
            if (!studies.TryGetValue(studyId, out var s) || s.LeaseOwner != owner) return Task.FromResult(false);
            studies[studyId] = s with { LeaseExpiresMs = Now + (long)ttl.TotalMilliseconds };
            return Task.FromResult(true);
        }
    }

    public Task ReleaseLease(string studyId, string owner)
    {
        lock (gate)
            if (studies.TryGetValue(studyId, out var s) && s.LeaseOwner == owner)
                studies[studyId] = s with { LeaseOwner = null, LeaseExpiresMs = null };
        return Task.CompletedTask;
    }

    public Task AddTrials(IReadOnlyList<TrialRecord> added)
    {
        lock (gate) foreach (var t in added) trials.TryAdd((t.StudyId, t.TrialId), t);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TrialRecord>> GetTrials(string studyId)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<TrialRecord>>(trials.Values.Where(t => t.StudyId == studyId).OrderBy(t => t.Index).ToList());
    }

    public Task<bool> UpdateTrial(TrialRecord trial, int expectedAttempt, TrialStatus? expectedStatus = null)
    {
        lock (gate)
        {
            if (!trials.TryGetValue((trial.StudyId, trial.TrialId), out var stored) || stored.Attempt != expectedAttempt
                || (expectedStatus is not null && stored.Status != expectedStatus))
                return Task.FromResult(false);
            trials[(trial.StudyId, trial.TrialId)] = trial;
            return Task.FromResult(true);
        }
    }

    public Task<bool> RecordEpoch(EpochRecord epoch)
    {
        lock (gate)
        {
            if (!IsCurrent(epoch.StudyId, epoch.TrialId, epoch.Attempt)) return Task.FromResult(false);
            var key = (epoch.StudyId, epoch.TrialId, epoch.Epoch);
            if (epochs.TryGetValue(key, out var old) && old.Attempt >= epoch.Attempt) return Task.FromResult(false);
            epochs[key] = epoch;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<EpochRecord>> GetEpochs(string studyId)
    {
        lock (gate)
            return Task.FromResult<IReadOnlyList<EpochRecord>>(
                epochs.Values.Where(e => e.StudyId == studyId).OrderBy(e => e.TrialId, StringComparer.Ordinal).ThenBy(e => e.Epoch).ToList());
    }

    public Task RecordProgress(TrialProgressRecord p)
    {
        lock (gate)
            if (IsCurrent(p.StudyId, p.TrialId, p.Attempt)) progress[(p.StudyId, p.TrialId)] = p;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TrialProgressRecord>> GetProgress(string studyId)
    {
        lock (gate) return Task.FromResult<IReadOnlyList<TrialProgressRecord>>(progress.Values.Where(p => p.StudyId == studyId).ToList());
    }

    public Task<bool> SaveArtifacts(ArtifactRecord a)
    {
        lock (gate)
        {
            if (!IsCurrent(a.StudyId, a.TrialId, a.Attempt)) return Task.FromResult(false);
            artifacts[(a.StudyId, a.TrialId)] = a;
            return Task.FromResult(true);
        }
    }

    public Task<ArtifactRecord?> GetArtifacts(string studyId, string trialId)
    {
        lock (gate) return Task.FromResult(artifacts.GetValueOrDefault((studyId, trialId)));
    }

    /// <summary>Reports are taken only from the running attempt: a trial queued again (its silo died) or ended
    /// refuses its old attempt's late writes.</summary>
    bool IsCurrent(string studyId, string trialId, int attempt) =>
        trials.TryGetValue((studyId, trialId), out var t) && t.Attempt == attempt && t.Status == TrialStatus.Running;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
