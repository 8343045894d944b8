using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Reporting;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>`study report ID`: (re)writes the output folder of a study from the store alone.</summary>
public static class ReportCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("report", "report ID [options]",
        "Rewrites a study's output folder (results.json, trials.csv, report.html, plots/, trials/) from the store alone.",
        ["./study report ID", "./study report ID --out /tmp/report"], [CommonOptions.Out, .. StudyStores.Options]).WithStudyIds(several: false, Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        var id = CommonOptions.StudyId(parse);
        await using var store = await StudyStores.Open(parse, mustExist: true);
        var results = await StudyResults.Load(store, id) ?? throw new UsageException($"no study '{id}' in the store");
        var folder = CommonOptions.OutFolder(parse, id);
        await StudyFolderWriter.Write(store, results, folder);
        Console.WriteLine(folder);
        return ExitCodes.Completed;
    }
}
