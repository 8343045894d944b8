using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Storage;
using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>A study as the store holds it, and its results.json (docs/OUTPUTS.md).</summary>
public sealed class StudyResults
{
    public required StudyRecord Study { get; init; }
    public required StudySpec Spec { get; init; }
    public required IReadOnlyList<TrialRecord> Trials { get; init; }
    public required IReadOnlyList<EpochRecord> Epochs { get; init; }

    public static async Task<StudyResults?> Load(IStudyStore store, string studyId)
    {
        var study = await store.GetStudy(studyId);
        if (study is null) return null;
        return new StudyResults
        {
            Study = study,
            Spec = StudySpecJson.Read(study.SpecJson),
            Trials = await store.GetTrials(studyId),
            Epochs = await store.GetEpochs(studyId),
        };
    }

    /// <summary>A trial's entry, with the study's τ schedule when it is not a constant τ.</summary>
    public TrialEntry Entry(TrialRecord t)
    {
        var metrics = StudyAnalysis.Metrics(t) ?? new TrialMetrics();
        return new TrialEntry(t.TrialId, t.Tau, t.Seed, t.Status, t.EpochsCompleted, Math.Max(t.Attempt, 0), t.Silo,
            Math.Round(t.DurationSeconds, 3), t.Error, metrics, t.Device).WithSchedule(Spec.TauSchedule, t.TauMax, Spec.TauPeriod);
    }

    public IEnumerable<TrialEntry> Entries => Trials.Select(Entry);

    public BestTrial? Best => StudyAnalysis.Best(Spec, Trials);

    public JsonObject ToJson()
    {
        var best = Best;
        var json = new JsonObject
        {
            ["study_id"] = Study.StudyId,
            ["status"] = Study.Status,
            ["created"] = DateTimeOffset.FromUnixTimeMilliseconds(Study.CreatedMs).ToString("O"),
            ["spec"] = JsonSerializer.SerializeToNode(Spec, StudyJson.Options),
            ["versions"] = new JsonObject
            {
                ["study"] = typeof(StudyResults).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0",
                ["torchsharp"] = VersionOf(typeof(TorchSharp.torch)),
                ["orleans"] = VersionOf(typeof(Orleans.IGrainFactory)),
            },
            ["dataset"] = Spec.Dataset,
            ["loss"] = SettingName.Of(Spec.Loss),
            ["objective"] = Spec.Objective.MetricName(),
            ["trials"] = new JsonArray(Entries.Select(e => JsonSerializer.SerializeToNode(e, StudyJson.Options)).ToArray()),
            ["best"] = best is null ? null : BestJson(best),
            ["pareto"] = new JsonArray(StudyAnalysis.ParetoSet(Trials).Select(id => (JsonNode)id!).ToArray()),
            ["error"] = Study.Error,
        };
        return json;
    }

    /// <summary>The best trial; under a cosine τ schedule its tau is τ− and tau_max τ+.</summary>
    static JsonObject BestJson(BestTrial best)
    {
        var json = new JsonObject { ["trial_id"] = best.TrialId, ["tau"] = best.Tau };
        if (best.TauMax is { } high) json["tau_max"] = high;
        json["objective"] = best.Objective;
        json["value"] = best.Value;
        return json;
    }

    /// <summary>The package version (assembly versions stay at x.0.0): "10.4.2. Commit Hash: …" or "0.107.0+…" → the number.</summary>
    static string VersionOf(Type type) =>
        type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split(' ', '+')[0].TrimEnd('.')
        ?? type.Assembly.GetName().Version?.ToString(3) ?? "?";
}
