using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Study.Client.Cli;
using Spectre.Console;
using Study.Client.Connection;
using Study.Client.Progress;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>`study list [--json]`: the studies of the store, from its own tables.</summary>
public static class ListCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("list", "list [options]",
        "Lists the studies of the store: id, status, creation time, trials and best τ. --json prints an array of {study_id, status, created, trials, best}.",
        ["./study list", "./study list --json"], [CommonOptions.Json, .. StudyStores.Options]).WithAction(Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        bool json = parse.GetValue(CommonOptions.Json);
        if (StudyStores.ClusterOf(parse) is null && !File.Exists(StudyStores.StorePath(parse)))
        {
            Console.WriteLine(json ? "[]" : "no studies yet");
            return ExitCodes.Completed;
        }
        await using var store = await StudyStores.Open(parse, mustExist: true);
        var rows = new List<(StudyRecord Study, int Trials)>();
        foreach (var study in await store.ListStudies()) rows.Add((study, (await store.GetTrials(study.StudyId)).Count));
        if (json)
        {
            var array = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["study_id"] = r.Study.StudyId,
                ["status"] = r.Study.Status,
                ["created"] = Created(r.Study),
                ["trials"] = r.Trials,
                ["best"] = Best(r.Study),
            }).ToArray());
            Console.WriteLine(array.ToJsonString(StudyJson.Options));
            return ExitCodes.Completed;
        }
        if (rows.Count == 0) { Console.WriteLine("no studies yet"); return ExitCodes.Completed; }
        var table = ConsoleTables.New([new("study"), new("status"), new("created (UTC)"), new("trials", RightAligned: true), new("best")]);
        foreach (var (study, trials) in rows)
        {
            var best = Best(study);
            var text = best is null ? "-" : $"τ = {best["tau"]} ({best["objective"]} {(best["value"] is { } value ? Numbers.Metric(value.GetValue<double>()) : "")})";
            table.AddRow(Markup.Escape(study.StudyId), Markup.Escape(study.Status), Created(study)[..19].Replace('T', ' '),
                trials.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(text));
        }
        ConsoleTables.Write(table);
        return ExitCodes.Completed;
    }

    static string Created(StudyRecord s) => DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedMs).ToString("O");

    static JsonObject? Best(StudyRecord s) =>
        s.BestJson is { } json && JsonNode.Parse(json) is JsonObject summary && summary["best"] is JsonObject best ? (JsonObject)best.DeepClone() : null;
}
