using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Reporting;

namespace Study.Client.Commands;

/// <summary>`study report ID`: (re)writes the output folder of a study from the store alone.</summary>
public static class ReportCommand
{
    public static readonly OptionSpec[] Specs = [new("out", "output folder (default: ./studies/<study-id>)", ValueName: "DIR"), .. StudyStores.Specs];

    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var a = ParsedArguments.Parse("report", args, Specs);
        var id = StudyCommandOptions.StudyId(a, "report");
        await using var store = await StudyStores.Open(a, mustExist: true);
        var results = await StudyResults.Load(store, id) ?? throw new UsageException($"no study '{id}' in the store");
        var folder = a.Value("out") ?? StudySummary.DefaultFolder(id);
        await StudyFolderWriter.Write(store, results, folder);
        Console.WriteLine(folder);
        return ExitCodes.Completed;
    }
}
