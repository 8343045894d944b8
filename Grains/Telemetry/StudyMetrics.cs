using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Study.Grains.Scheduling;

namespace Study.Grains.Telemetry;

/// <summary>
/// The instruments of one silo (meter "Study", made through the host's <see cref="IMeterFactory"/>, so they end
/// with the silo). Units are UCUM, as Orleans's own. Cardinality is bounded: per-trial series exist only while the
/// trial runs here, per-study series only while its coordinator is active here, per-slot series by the slot count.
/// docs/TELEMETRY.md lists every instrument.
/// </summary>
public sealed class StudyMetrics
{
    /// <summary>Every state a trial can be in: each is exported, 0 where no trial is in it, so a chart shows 0, not nothing.</summary>
    static readonly string[] TrialStates = [.. TrialStatuses.Stored.Select(TrialStatuses.Name)];

    readonly ConcurrentDictionary<string, StudyProgress> studies = new();
    readonly ConcurrentDictionary<string, RunningTrialReading> runningTrials = new();
    readonly long[] epochsBySlot;

    public StudyMetrics(IMeterFactory meters, SlotPool slots)
    {
        var meter = meters.Create(StudyTelemetry.Name, StudyTelemetry.Version);
        // Observed, not added to: each slot's series exists from the start, at 0, so its rate has data before the first epoch ends.
        epochsBySlot = new long[slots.Count];
        meter.CreateObservableCounter("study.epochs", () => slots.Readings.Select(s =>
                new Measurement<long>(Interlocked.Read(ref epochsBySlot[s.Index]), SlotTags(s))),
            "{epoch}", "Training epochs completed on this silo.");
        TrainingImages = meter.CreateCounter<long>("study.training.images", "{image}", "Images trained on, per slot; its rate is images/s.");
        Restarts = meter.CreateCounter<long>("study.trial.restarts", "{restart}", "Trial attempts started again after their silo died or forgot them.");
        Restarts.Add(0); // none yet is a count too: a chart shows 0, not "no data"
        ProposalDuration = meter.CreateHistogram<double>("study.proposal.duration", "s", "Time the sampler took to propose the next temperatures.");
        StoreWriteDuration = meter.CreateHistogram<double>("study.store.write.duration", "s", "Time a write to the study store took, from the call to its commit.");

        meter.CreateObservableGauge("study.trials", () => studies.SelectMany(study => TrialStates.Select(state =>
                new Measurement<int>(study.Value.Trials.GetValueOrDefault(state), new("study", study.Key), new("state", state)))),
            "{trial}", "Trials of each study coordinated on this silo, by state.");
        meter.CreateObservableGauge("study.epochs.done", () => studies.Select(study =>
                new Measurement<long>(study.Value.EpochsDone, new KeyValuePair<string, object?>("study", study.Key))),
            "{epoch}", "Epochs the trials of each study coordinated on this silo have completed.");
        meter.CreateObservableGauge("study.epochs.left", () => studies.Select(study =>
                new Measurement<long>(study.Value.EpochsLeft, new KeyValuePair<string, object?>("study", study.Key))),
            "{epoch}", "Epochs each study coordinated on this silo has still to train, at most: its unfinished and unproposed trials' epochs.");
        meter.CreateObservableGauge("study.slots", () => slots.Readings.GroupBy(s => s.Device)
                .Select(d => new Measurement<int>(d.Count(), new KeyValuePair<string, object?>("device", d.Key))),
            "{slot}", "Accelerator slots of this silo, by device.");
        meter.CreateObservableGauge("study.slot.busy", () => slots.Readings.Select(s =>
                new Measurement<int>(s.Busy ? 1 : 0, SlotTags(s))),
            "{slot}", "1 while the slot runs a trial, else 0; the tags name the slot and its device.");
        meter.CreateObservableCounter("study.slot.busy.time", () => slots.Readings.Select(s =>
                new Measurement<double>(s.BusySeconds, SlotTags(s))),
            "s", "Seconds each slot has spent running trials; its rate is the slot's utilisation.");
        meter.CreateObservableGauge("study.gpu.memory.usage", () => GpuReadings(slots, r => r.Used), "By",
            "Memory in use on each CUDA device this silo's slots train on (every process's, as nvidia-smi counts it).");
        meter.CreateObservableGauge("study.gpu.memory.limit", () => GpuReadings(slots, r => r.Total), "By",
            "Memory each CUDA device this silo's slots train on has.");
        Gauge(meter, "study.trial.loss", r => r.Loss, "The running trial's training loss (mean of the epoch so far).");
        Gauge(meter, "study.trial.objective", r => r.Objective, "The running trial's last epoch objective: val_knn_accuracy on the validation probe.");
        Gauge(meter, "study.trial.uniformity", r => r.Uniformity, "The running trial's last epoch uniformity on the validation probe.");
        Gauge(meter, "study.trial.tolerance", r => r.Tolerance, "The running trial's last epoch tolerance on the validation probe.");
    }

    /// <summary>An epoch ended on the slot.</summary>
    public void EpochCompleted(int slot) => Interlocked.Increment(ref epochsBySlot[slot]);

    public Counter<long> TrainingImages { get; }
    public Counter<long> Restarts { get; }
    public Histogram<double> ProposalDuration { get; }
    public Histogram<double> StoreWriteDuration { get; }

    /// <summary>A study's trial counts by state and its epochs, as its coordinator last saw them.</summary>
    public void SetStudyProgress(string studyId, StudyProgress progress) => studies[studyId] = progress;

    /// <summary>The study's coordinator left this silo: its series end.</summary>
    public void ForgetStudy(string studyId) => studies.TryRemove(studyId, out _);

    /// <summary>A trial starts running on this silo; its series start with its first figure.</summary>
    public RunningTrialReading TrialStarted(TrialSpec trial)
    {
        var reading = new RunningTrialReading([
            new("study", trial.StudyId), new("trial", trial.TrialId),
            new("tau", TauSetting.Of(trial.Tau, trial.TauMax)?.Label ?? "none"), new("seed", trial.Seed)]);
        runningTrials[trial.Key] = reading;
        return reading;
    }

    /// <summary>The trial no longer runs here: its series end.</summary>
    public void TrialEnded(TrialSpec trial, RunningTrialReading reading) =>
        ((ICollection<KeyValuePair<string, RunningTrialReading>>)runningTrials).Remove(new(trial.Key, reading));

    public static KeyValuePair<string, object?>[] SlotTags(SlotReading slot) =>
        [new("slot", slot.Index), new("device", slot.Device)];

    /// <param name="Trials">trials by state (states missing count 0)</param>
    /// <param name="EpochsLeft">epochs of the trials not yet ended or not yet proposed: an upper bound, as pruning ends some early</param>
    public sealed record StudyProgress(IReadOnlyDictionary<string, int> Trials, long EpochsDone, long EpochsLeft);

    /// <summary>A figure of each CUDA device the slots use; none on a machine without an NVIDIA driver.</summary>
    static IEnumerable<Measurement<long>> GpuReadings(SlotPool slots, Func<GpuMemory.Reading, ulong> figure) =>
        from device in slots.Readings.Select(s => s.Device).Distinct()
        where device.StartsWith("cuda:", StringComparison.Ordinal)
        let reading = GpuMemory.Read(int.Parse(device["cuda:".Length..], CultureInfo.InvariantCulture))
        where reading is not null
        select new Measurement<long>((long)figure(reading.Value), new KeyValuePair<string, object?>("device", device));

    void Gauge(Meter meter, string name, Func<RunningTrialReading, double> value, string description) =>
        meter.CreateObservableGauge(name, () => runningTrials.Values
                .Select(r => (Reading: r, Value: value(r))).Where(r => !double.IsNaN(r.Value))
                .Select(r => new Measurement<double>(r.Value, r.Reading.Tags)),
            unit: null, description);
}
