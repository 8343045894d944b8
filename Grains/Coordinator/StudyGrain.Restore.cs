using Study.Grains.Pruning;
using Study.Grains.Sampling;
using Study.Grains.Storage;

namespace Study.Grains.Coordinator;

/// <summary>The coordinator's state rebuilt from the store: a new activation of a study goes on where the last left off.</summary>
public sealed partial class StudyGrain
{
    /// <summary>The study's sampler as it stands after <paramref name="records"/>: their τ taken, their epochs and the
    /// completed ones' objectives observed, the collapsed ones' counted as the worst.</summary>
    ITauSampler? SamplerOf(IEnumerable<TrialRecord> records)
    {
        if (CreateSampler(spec!) is not { } rebuilt) return null;
        foreach (var record in records)
        {
            if (record.Setting is not { } tau) continue;
            rebuilt.Exclude(tau);
            if (epochValues.TryGetValue(record.TrialId, out var epochs))
                foreach (var (epoch, accuracy) in epochs.OrderBy(e => e.Key)) rebuilt.ObserveEpoch(tau, epoch, accuracy);
            if (record.Status == TrialStatus.Completed && StudyAnalysis.Metrics(record)?.Get(spec!.ValidationObjective) is { } value)
                rebuilt.Observe(tau, value);
            if (record.Status == TrialStatus.Collapsed) rebuilt.ObserveCollapse(tau);
        }
        return rebuilt;
    }

    async Task Restore(StudyRecord stored)
    {
        spec = StudySpecJson.Read(stored.SpecJson);
        status = stored.Status;
        cancelRequested = stored.CancelRequested;
        pruner = TrialPruners.Create(spec);
        foreach (var record in await store.GetTrials(StudyId)) trials.Add(new TrialState(record, Now));
        foreach (var epoch in await store.GetEpochs(StudyId))
        {
            if (!epochValues.TryGetValue(epoch.TrialId, out var values)) epochValues[epoch.TrialId] = values = new();
            values[epoch.Epoch] = epoch.Metrics.ValKnnAccuracy;
        }
        sampler = SamplerOf(trials.All.Select(t => t.Record));
    }
}
