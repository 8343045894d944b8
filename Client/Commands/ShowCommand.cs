using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Reporting;
using Study.Grains.Hosting;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>`study show ID [--json]`: a study and its trials; --json prints its results.json as it stands.</summary>
public static class ShowCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("show", "show ID [options]",
        "Shows a study and its trials as they stand; --json prints its results.json.",
        ["./study show ID", "./study show ID --json"], [CommonOptions.Json, .. StudyStores.Options]).WithStudyIds(several: false, Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        var id = CommonOptions.StudyId(parse);
        await using var store = await StudyStores.Open(parse, mustExist: true);
        var results = await StudyResults.Load(store, id) ?? throw new UsageException($"no study '{id}' in the store");
        if (parse.GetValue(CommonOptions.Json)) Console.WriteLine(results.ToJson().ToJsonString(StudyJson.Options));
        else StudySummary.Print(results, CommonOptions.DefaultOutFolder(id) + " (study report writes it)", json: false);
        return ExitCodes.Completed;
    }
}
