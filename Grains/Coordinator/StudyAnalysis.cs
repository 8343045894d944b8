using System.Text.Json;
using Study.Grains.Storage;
using Study.Training.Trainer;

namespace Study.Grains.Coordinator;

/// <summary>The best trial by the objective (τ ranked by its seed mean) and a trial's objective value; under a cosine
/// schedule <see cref="Tau"/> is τ− and <see cref="TauMax"/> τ+.</summary>
public sealed record BestTrial(string TrialId, double? Tau, string Objective, double Value,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    double? TauMax = null)
{
    [System.Text.Json.Serialization.JsonIgnore] public TauSetting? Setting => TauSetting.Of(Tau, TauMax);
}

/// <summary>Statistics of a study's trials that the coordinator and the reports share.</summary>
public static class StudyAnalysis
{
    /// <summary>The trial's stored metrics (the JSON of its <see cref="MetricsRecord"/>), or null before it ends.</summary>
    public static TrialMetrics? Metrics(TrialRecord trial) =>
        trial.MetricsJson is { } json ? JsonSerializer.Deserialize<TrialMetrics>(json, StudyJson.Options) : null;

    /// <summary>The best τ by the mean of the validation objective over its completed seeds, and its best seed's trial.</summary>
    public static BestTrial? Best(StudySpec spec, IEnumerable<TrialRecord> trials)
    {
        var scored = trials.Where(t => t.Status == TrialStatus.Completed)
            .Select(t => (Trial: t, Value: Metrics(t)?.Get(spec.ValidationObjective)))
            .Where(x => x.Value is { } v && double.IsFinite(v))
            .ToList();
        if (scored.Count == 0) return null;
        var bestGroup = scored.GroupBy(x => x.Trial.Setting).MaxBy(g => g.Average(x => x.Value!.Value))!;
        var bestTrial = bestGroup.MaxBy(x => x.Value!.Value);
        return new BestTrial(bestTrial.Trial.TrialId, bestGroup.Key?.Tau, spec.Objective.MetricName(), bestGroup.Average(x => x.Value!.Value),
            bestGroup.Key?.TauMax);
    }

    /// <summary>Completed trials not dominated in (uniformity, tolerance), both to be high: the paper's dilemma.</summary>
    public static IReadOnlyList<string> ParetoSet(IEnumerable<TrialRecord> trials)
    {
        var points = trials.Where(t => t.Status == TrialStatus.Completed)
            .Select(t => (t.TrialId, M: Metrics(t)))
            .Where(x => x.M?.Uniformity is not null && x.M.Tolerance is not null)
            .Select(x => (x.TrialId, U: x.M!.Uniformity!.Value, T: x.M.Tolerance!.Value))
            .ToList();
        return points.Where(p => !points.Any(q => q.U >= p.U && q.T >= p.T && (q.U > p.U || q.T > p.T)))
            .OrderByDescending(p => p.U).Select(p => p.TrialId).ToList();
    }

    /// <summary>What the study row keeps for list and show: the best trial and the Pareto set.</summary>
    public static string? SummaryJson(StudySpec spec, IReadOnlyCollection<TrialRecord> trials) =>
        Best(spec, trials) is { } best
            ? JsonSerializer.Serialize(new { best, pareto = ParetoSet(trials) }, StudyJson.Compact)
            : null;
}
