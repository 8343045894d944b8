using System.Text.Json;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Storage;
using Study.Training.Evaluation;
using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>One trial with everything the report draws of it.</summary>
public sealed record ReportTrial(
    TrialRecord Record, TrialMetrics? Metrics, double? Objective, IReadOnlyList<Study.Training.Trainer.EpochMetrics> Epochs, SimilarityHistograms? Similarities)
{
    /// <summary>The trial's τ, or its cosine schedule's (τ−, τ+) range.</summary>
    public TauSetting? Setting => Record.Setting;
    /// <summary>Where the trial stands on a τ axis: its τ, or its schedule's mean τ (τ− + τ+)/2.</summary>
    public double? Tau => Setting?.Mean;
    public string Label => Setting?.Label ?? "-";
    public bool Completed => Record.Status == TrialStatus.Completed;
    /// <summary>The entropy of the relative penalty r_i over the trial's last epoch of training.</summary>
    public double? PenaltyEntropy => Epochs.Count > 0 ? Epochs[^1].PenaltyEntropy : null;
}

/// <summary>The completed trials of one τ (or τ range), summarised over their seeds.</summary>
public sealed record TauGroup(TauSetting Setting, IReadOnlyList<ReportTrial> Trials, SeedSummary? Objective, SeedSummary? Uniformity,
    SeedSummary? Tolerance, SeedSummary? Alignment, SeedSummary? KnnAccuracy, SeedSummary? LinearAccuracy, SeedSummary? PenaltyEntropy)
{
    /// <summary>Where the group stands on a τ axis: its τ, or its schedule's mean τ.</summary>
    public double Tau => Setting.Mean;
    public string Label => Setting.Label;
}

/// <summary>What the report needs of a study, read from the store alone.</summary>
public sealed class ReportData
{
    public required StudyResults Results { get; init; }
    public required IReadOnlyList<ReportTrial> Trials { get; init; }

    public StudySpec Spec => Results.Spec;
    public string ObjectiveName => Spec.ValidationObjective;
    public IReadOnlySet<string> Pareto { get; private init; } = new HashSet<string>();

    /// <summary>Completed trials with a τ, grouped by τ (or τ range) in increasing order of their mean τ.</summary>
    public IReadOnlyList<TauGroup> Groups { get; private init; } = [];

    /// <summary>The best τ by the objective against each other τ (paired t-tests, Holm); null with no completed trial.</summary>
    public BestTauContrast? Contrast { get; private init; }

    /// <summary>Reads the trials' similarity histograms from the store (the rest is in <paramref name="results"/>).</summary>
    public static async Task<ReportData> Load(IStudyStore store, StudyResults results)
    {
        var similarities = new Dictionary<string, string>();
        foreach (var t in results.Trials)
            if (await store.GetArtifacts(t.StudyId, t.TrialId) is { } artifacts) similarities[t.TrialId] = artifacts.SimilaritiesJson;
        return From(results, similarities);
    }

    /// <param name="similaritiesJson">each evaluated trial's similarity histograms (JSON), by trial id</param>
    public static ReportData From(StudyResults results, IReadOnlyDictionary<string, string> similaritiesJson)
    {
        var epochsByTrial = results.Epochs.GroupBy(e => e.TrialId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Epoch).Select(e => e.Metrics).ToList());
        var trials = new List<ReportTrial>();
        foreach (var t in results.Trials)
        {
            var metrics = StudyAnalysis.Metrics(t);
            var similarities = similaritiesJson.TryGetValue(t.TrialId, out var json)
                ? JsonSerializer.Deserialize<SimilarityHistograms>(json, StudyJson.Options) : null;
            trials.Add(new ReportTrial(t, metrics, metrics?.Get(results.Spec.ValidationObjective),
                epochsByTrial.GetValueOrDefault(t.TrialId) ?? [], similarities));
        }
        var groups = trials.Where(t => t.Completed && t.Setting is not null).GroupBy(t => t.Setting!.Value)
            .OrderBy(g => g.Key.Mean).ThenBy(g => g.Key.Low)
            .Select(g => new TauGroup(g.Key, g.ToList(),
                SeedSummary.Of(g.Select(t => t.Objective)),
                SeedSummary.Of(g.Select(t => t.Metrics?.Uniformity)),
                SeedSummary.Of(g.Select(t => t.Metrics?.Tolerance)),
                SeedSummary.Of(g.Select(t => t.Metrics?.Alignment)),
                SeedSummary.Of(g.Select(t => t.Metrics?.KnnAccuracy)),
                SeedSummary.Of(g.Select(t => t.Metrics?.LinearAccuracy)),
                SeedSummary.Of(g.Select(t => t.PenaltyEntropy))))
            .ToList();
        return new ReportData
        {
            Results = results, Trials = trials, Groups = groups,
            Contrast = BestTauContrast.Of(trials.Where(t => t.Completed && t.Setting is not null && t.Objective is not null)
                .Select(t => new SeedValue(t.Setting!.Value, t.Record.Seed, t.Objective!.Value))),
            Pareto = StudyAnalysis.ParetoSet(results.Trials).ToHashSet(),
        };
    }
}
