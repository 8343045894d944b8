namespace Study.Grains.Storage;

/// <summary>
/// Where studies live (docs/OUTPUTS.md): everything a report needs — spec, trials, per-epoch metrics, final metrics,
/// embeddings, labels, similarity histograms. Writes of a trial's progress are fenced by its attempt: a write that
/// names an attempt other than the trial's current one changes nothing. One contract, three implementations
/// (memory, SQLite, PostgreSQL), one set of tests.
/// </summary>
public interface IStudyStore : IAsyncDisposable
{
    /// <summary>Creates the tables when they are missing.</summary>
    Task EnsureSchema(CancellationToken cancel = default);

    /// <returns>false when a study of that id exists already (nothing is changed)</returns>
    Task<bool> CreateStudy(StudyRecord study, IReadOnlyList<TrialRecord> trials);
    Task<StudyRecord?> GetStudy(string studyId);
    Task<IReadOnlyList<StudyRecord>> ListStudies();
    Task SetStudyStatus(string studyId, string status, string? bestJson, string? error);
    Task RequestCancel(string studyId);

    /// <summary>Takes the study's lease for <paramref name="owner"/> if it is free, expired, already the owner's,
    /// or held by an owner <paramref name="ownerIsGone"/> says no longer runs.</summary>
    Task<LeaseResult> TryAcquireLease(string studyId, string owner, TimeSpan ttl, Func<string, bool> ownerIsGone);
    Task<bool> RenewLease(string studyId, string owner, TimeSpan ttl);
    Task ReleaseLease(string studyId, string owner);

    Task AddTrials(IReadOnlyList<TrialRecord> trials);
    Task<IReadOnlyList<TrialRecord>> GetTrials(string studyId);
    /// <summary>Writes the row if the stored attempt is <paramref name="expectedAttempt"/> and, when given, its status
    /// <paramref name="expectedStatus"/>: a writer that saw the row in another state (a second activation of the
    /// coordinator) is refused.</summary>
    Task<bool> UpdateTrial(TrialRecord trial, int expectedAttempt, TrialStatus? expectedStatus = null);

    /// <summary>Records an epoch if <paramref name="epoch"/>.Attempt is the trial's current attempt; a repeat is a no-op.</summary>
    Task<bool> RecordEpoch(EpochRecord epoch);
    Task<IReadOnlyList<EpochRecord>> GetEpochs(string studyId);

    /// <summary>Replaces a trial's live progress if <paramref name="progress"/>.Attempt is the trial's current attempt.</summary>
    Task RecordProgress(TrialProgressRecord progress);
    Task<IReadOnlyList<TrialProgressRecord>> GetProgress(string studyId);

    /// <summary>Saves a trial's artifacts if their attempt is the trial's current one.</summary>
    Task<bool> SaveArtifacts(ArtifactRecord artifacts);
    Task<ArtifactRecord?> GetArtifacts(string studyId, string trialId);
}
