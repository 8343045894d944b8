using System.CommandLine;
using Spectre.Console;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>`study compare ID [ID …]`: several studies side by side, from the store alone.</summary>
public static class CompareCommand
{
    static readonly Option<bool> PerSeed =
        TypedOptions.Flag("--per-seed", "a compute row per seed of each study: each seed of a grid is one repetition of its search");
    static readonly Option<bool> Markdown = TypedOptions.Flag("--markdown", "print the tables as markdown (for docs) instead of for the console");

    public static StudyCommand Declaration { get; } = new StudyCommand("compare", "compare ID [ID ...] [options]",
        "Compares studies from the store alone: each τ's metrics as mean ± sd over its seeds, and what each study (or, with " +
        "--per-seed, each seed: a repetition of the search) spent — trials, epochs, images, seconds — and its best validation objective. " +
        "--json prints one JSON object (schema study-compare/1, docs/METRICS.md), intervals and tests included.",
        ["./study compare ID1 ID2", "./study compare ID1 ID2 --per-seed --markdown"],
        [PerSeed, Markdown, CommonOptions.Json, .. StudyStores.Options]).WithStudyIds(several: true, Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        bool json = parse.GetValue(CommonOptions.Json), markdown = parse.GetValue(Markdown), perSeed = parse.GetValue(PerSeed);
        await using var store = await StudyStores.Open(parse, mustExist: true);
        var studies = new List<StudyResults>();
        foreach (var id in parse.GetValue(CommonOptions.StudyIds)!)
            studies.Add(await StudyResults.Load(store, id) ?? throw new UsageException($"no study '{id}' in the store"));
        bool epochsDiffer = studies.Select(s => s.Spec.Epochs).Distinct().Count() > 1;
        if (json && markdown) throw new UsageException("compare: give --json or --markdown, not both");
        if (json)
        {
            Console.WriteLine(Grains.Storage.StudyJson.Serialize(ComparisonJson.Build(studies, perSeed, epochsDiffer)));
            return ExitCodes.Completed;
        }
        var contrasts = studies.SelectMany(s => StudyComparison.Contrasts(s, epochsDiffer)).ToList();
        var temperatures = studies.SelectMany(s => StudyComparison.Temperatures(s, epochsDiffer)).ToList();
        var compute = studies.SelectMany(s => StudyComparison.Compute(s, perSeed, epochsDiffer)).ToList();
        if (markdown)
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
        var table = ConsoleTables.New(columns.Select(c => new FittedColumn(c)));
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        ConsoleTables.Write(table);
    }
}
