using Spectre.Console;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Progress;
using Study.Client.Reporting;

namespace Study.Client.Commands;

/// <summary>`study compare ID [ID …]`: several studies side by side, from the store alone.</summary>
public static class CompareCommand
{
    public static readonly OptionSpec[] Specs =
    [
        OptionSpec.Flag("per-seed", "a compute row per seed of each study: each seed of a grid is one repetition of its search"),
        OptionSpec.Flag("markdown", "print the tables as markdown (for docs) instead of for the console"),
        OptionSpec.Flag("json", "print one JSON object (schema study-compare/1, docs/METRICS.md): intervals and tests included"),
        .. StudyStores.Specs,
    ];

    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var a = ParsedArguments.Parse("compare", args, Specs);
        if (a.Positionals.Count == 0) throw new UsageException("study compare takes one or more study ids (see study list)");
        await using var store = await StudyStores.Open(a, mustExist: true);
        var studies = new List<StudyResults>();
        foreach (var id in a.Positionals)
            studies.Add(await StudyResults.Load(store, id) ?? throw new UsageException($"no study '{id}' in the store"));
        bool epochsDiffer = studies.Select(s => s.Spec.Epochs).Distinct().Count() > 1;
        if (a.Flag("json") && a.Flag("markdown")) throw new UsageException("compare: give --json or --markdown, not both");
        if (a.Flag("json"))
        {
            Console.WriteLine(Grains.Storage.StudyJson.Serialize(ComparisonJson.Build(studies, a.Flag("per-seed"), epochsDiffer)));
            return ExitCodes.Completed;
        }
        var contrasts = studies.SelectMany(s => StudyComparison.Contrasts(s, epochsDiffer)).ToList();
        var temperatures = studies.SelectMany(s => StudyComparison.Temperatures(s, epochsDiffer)).ToList();
        var compute = studies.SelectMany(s => StudyComparison.Compute(s, a.Flag("per-seed"), epochsDiffer)).ToList();
        if (a.Flag("markdown"))
        {
            Console.Write(StudyComparison.Markdown(StudyComparison.TemperatureColumns, StudyComparison.Rows(temperatures)));
            Console.WriteLine();
            Console.Write(StudyComparison.Markdown(StudyComparison.IntervalColumns, StudyComparison.IntervalRows(temperatures)));
            Console.WriteLine();
            Console.WriteLine();
            Console.Write(StudyComparison.Markdown(StudyComparison.ContrastColumns, contrasts));
            Console.WriteLine();
            Console.Write(StudyComparison.Markdown(StudyComparison.ComputeColumns, StudyComparison.Rows(compute)));
            return ExitCodes.Completed;
        }
        Write(StudyComparison.TemperatureColumns, StudyComparison.Rows(temperatures));
        Write(StudyComparison.IntervalColumns, StudyComparison.IntervalRows(temperatures));
        Write(StudyComparison.ContrastColumns, contrasts);
        Write(StudyComparison.ComputeColumns, StudyComparison.Rows(compute));
        return ExitCodes.Completed;
    }

    static void Write(string[] columns, IEnumerable<string[]> rows)
    {
        var table = ConsoleTables.New(columns);
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        ConsoleTables.Write(table);
    }
}
