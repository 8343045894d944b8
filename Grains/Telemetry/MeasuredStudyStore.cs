using System.Diagnostics;
using System.Diagnostics.Metrics;
using Study.Grains.Storage;

namespace Study.Grains.Telemetry;

/// <summary>A store that times every write (study.store.write.duration, by operation); reads pass straight through.</summary>
public sealed class MeasuredStudyStore(IStudyStore store, Histogram<double> writeDuration) : IStudyStore
{
    async Task<T> Timed<T>(string operation, Task<T> write)
    {
        long start = Stopwatch.GetTimestamp();
        try { return await write; }
        finally { writeDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>("operation", operation)); }
    }

    async Task Timed(string operation, Task write) => await Timed(operation, WithResult(write));

    static async Task<bool> WithResult(Task write)
    {
        await write;
        return true;
    }

    public Task EnsureSchema(CancellationToken cancel = default) => store.EnsureSchema(cancel);
    public Task<bool> CreateStudy(StudyRecord study, IReadOnlyList<TrialRecord> trials) => Timed("create_study", store.CreateStudy(study, trials));
    public Task<StudyRecord?> GetStudy(string studyId) => store.GetStudy(studyId);
    public Task<IReadOnlyList<StudyRecord>> ListStudies() => store.ListStudies();
    public Task SetStudyStatus(string studyId, string status, string? bestJson, string? error) =>
        Timed("set_study_status", store.SetStudyStatus(studyId, status, bestJson, error));
    public Task RequestCancel(string studyId) => Timed("request_cancel", store.RequestCancel(studyId));
    public Task<LeaseResult> TryAcquireLease(string studyId, string owner, TimeSpan ttl, Func<string, bool> ownerIsGone) =>
        Timed("acquire_lease", store.TryAcquireLease(studyId, owner, ttl, ownerIsGone));
    public Task<bool> RenewLease(string studyId, string owner, TimeSpan ttl) => Timed("renew_lease", store.RenewLease(studyId, owner, ttl));
    public Task ReleaseLease(string studyId, string owner) => Timed("release_lease", store.ReleaseLease(studyId, owner));
    public Task AddTrials(IReadOnlyList<TrialRecord> trials) => Timed("add_trials", store.AddTrials(trials));
    public Task<IReadOnlyList<TrialRecord>> GetTrials(string studyId) => store.GetTrials(studyId);
    public Task<bool> UpdateTrial(TrialRecord trial, int expectedAttempt, TrialStatus? expectedStatus = null) =>
        Timed("update_trial", store.UpdateTrial(trial, expectedAttempt, expectedStatus));
    public Task<bool> RecordEpoch(EpochRecord epoch) => Timed("record_epoch", store.RecordEpoch(epoch));
    public Task<IReadOnlyList<EpochRecord>> GetEpochs(string studyId) => store.GetEpochs(studyId);
    public Task RecordProgress(TrialProgressRecord progress) => Timed("record_progress", store.RecordProgress(progress));
    public Task<IReadOnlyList<TrialProgressRecord>> GetProgress(string studyId) => store.GetProgress(studyId);
    public Task<bool> SaveArtifacts(ArtifactRecord artifacts) => Timed("save_artifacts", store.SaveArtifacts(artifacts));
    public Task<ArtifactRecord?> GetArtifacts(string studyId, string trialId) => store.GetArtifacts(studyId, trialId);

    /// <summary>The store belongs to whoever made it (the silo's host, the embedded run, the test).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
