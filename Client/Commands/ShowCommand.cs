using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Reporting;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>`study show ID [--json]`: a study and its trials; --json prints its results.json as it stands.</summary>
public static class ShowCommand
{
    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var a = ParsedArguments.Parse("show", args, StudyCommandOptions.Show);
        var id = StudyCommandOptions.StudyId(a, "show");
        await using var store = await StudyStores.Open(a, mustExist: true);
        var results = await StudyResults.Load(store, id) ?? throw new UsageException($"no study '{id}' in the store");
        if (a.Flag("json")) Console.WriteLine(results.ToJson().ToJsonString(StudyJson.Options));
        else StudySummary.Print(results, StudySummary.DefaultFolder(id) + " (study report writes it)", json: false);
        return ExitCodes.Completed;
    }
}
