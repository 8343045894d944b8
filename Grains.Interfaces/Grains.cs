namespace Study.Grains;

/// <summary>The coordinator of one study (key: the study id): proposes τ, starts trials, aggregates, prunes.</summary>
[Alias("study.IStudyGrain")]
public interface IStudyGrain : IGrainWithStringKey
{
    /// <summary>Creates the study from its spec and starts driving it; idempotent for a study that exists.</summary>
    [Alias("Start")] Task<StudySnapshot> Start(StudySpec spec);
    /// <summary>Continues an interrupted study from its stored state and checkpoints.</summary>
    [Alias("Resume")] Task<StudySnapshot> Resume();
    /// <summary>Stops the study: running trials stop at their next step and are marked cancelled.</summary>
    [Alias("Cancel")] Task<StudySnapshot> Cancel();
    [Alias("GetSnapshot")] Task<StudySnapshot> GetSnapshot();
    /// <summary>An epoch of an attempt; stale attempts are told to stop. Idempotent per (trial, epoch, attempt).</summary>
    [Alias("ReportEpoch"), SiloOnly] Task<EpochVerdict> ReportEpoch(EpochReport report);
    /// <summary>How an attempt ended; stale attempts are ignored.</summary>
    /// <returns>whether the outcome is the trial's current attempt's (taken now or before): only then may its silo
    /// remove the attempt's checkpoints, which a later attempt may otherwise resume from</returns>
    [Alias("ReportOutcome"), SiloOnly] Task<bool> ReportOutcome(TrialOutcomeReport outcome);
    /// <summary>Asks the coordinator to look at its trials again (start queued ones, notice lost ones).</summary>
    [Alias("Poke"), Orleans.Concurrency.OneWay] Task Poke();
}

/// <summary>One trial (key: study/trial), placed on a silo with a free accelerator slot and run there.</summary>
[Alias("study.ITrialGrain"), SiloOnly]
public interface ITrialGrain : IGrainWithStringKey
{
    /// <summary>Runs the attempt on this silo's slot thread; false when the silo has no free slot after all.</summary>
    [Alias("Start")] Task<bool> Start(TrialAssignment assignment);
    /// <summary>Stops the given attempt at its next step.</summary>
    [Alias("Cancel")] Task Cancel(int attempt);
    /// <summary>The attempt has ended on this silo: the grain may be collected.</summary>
    [Alias("Finished"), Orleans.Concurrency.OneWay] Task Finished(int attempt);
}

/// <summary>One silo's slots as it reports them: its capacity and the trials it runs now.</summary>
[GenerateSerializer, Alias("study.SiloSlotReport")]
public sealed record SiloSlotReport(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] string Name,
    [property: Id(2)] int Slots,
    [property: Id(3)] string[] Running,
    /// <summary>The silo is shutting down: place nothing more on it.</summary>
    [property: Id(4)] bool Leaving,
    /// <summary>Trials that ended here whose outcome is still on its way to their coordinator: not running (their
    /// slot is free), but not lost either.</summary>
    [property: Id(5)] string[]? Reporting = null);

[GenerateSerializer, Alias("study.SlotGrant")]
public sealed record SlotGrant([property: Id(0)] string TrialKey, [property: Id(1)] SiloAddress Silo, [property: Id(2)] string SiloName);

/// <summary>
/// The one source of truth for slot reservations in the cluster (key 0). Silos report their capacity and running
/// trials; coordinators reserve a slot before starting a trial and release it after; dead silos lose theirs.
/// </summary>
[Alias("study.ISlotSchedulerGrain")]
public interface ISlotSchedulerGrain : IGrainWithIntegerKey
{
    [Alias("Heartbeat"), SiloOnly] Task Heartbeat(SiloSlotReport report);
    /// <summary>Grants as many of the trials as there are free slots, spreading them over the least busy silos.</summary>
    [Alias("Reserve"), SiloOnly] Task<SlotGrant[]> Reserve(string[] trialKeys);
    [Alias("Release"), SiloOnly] Task Release(string[] trialKeys);
    /// <summary>Of the given (trial, silo) pairs, those whose silo reported within the last seconds without that trial:
    /// the trial is not running there (its outcome was lost, or it never started).</summary>
    [Alias("Absent")] Task<string[]> Absent(Dictionary<string, SiloAddress> trials);
    /// <summary>Free slots in the cluster now.</summary>
    [Alias("FreeSlots")] Task<int> FreeSlots();
    /// <summary>Names of the silos that can host trials (more than 0 slots), for placement without a reservation.</summary>
    [Alias("SiloSlots")] Task<Dictionary<SiloAddress, int>> SiloSlots();
}
