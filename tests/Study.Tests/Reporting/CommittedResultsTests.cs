using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Study.Grains.Storage;
using Study.Tests.Cli;
using Study.Training.Trainer;
using Xunit;

namespace Study.Tests.Reporting;

/// <summary>
/// The raw results committed under docs/results hold up what docs/ says of them: the tables of docs/EXPERIMENTS.md
/// are what the scripts regenerate from them, and the collapse rule stops none of their
/// healthy trials (every committed study ran with it off or before it, so each curve is replayed here) and each of the
/// collapsed ones at the epoch it stopped.
/// </summary>
public sealed class CommittedResultsTests
{
    static string Results => Path.Combine(StudyProcess.RepositoryRoot, "docs", "results");

    static readonly string[] ExperimentScripts = ["bank-tables", "rung-bias", "search-tables", "grid-tables", "schedule-tables", "long-tables"];

    /// <summary>The scripts that print every table of docs/EXPERIMENTS.md from docs/results, and docs/PERFORMANCE.md's
    /// of the default study's size.</summary>
    public static TheoryData<string, string> TableScripts
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var script in ExperimentScripts)
                data.Add(script, "EXPERIMENTS.md");
            data.Add("default-size-tables", "PERFORMANCE.md");
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(TableScripts))]
    public async Task TheTablesOfTheDocsAreRegeneratedFromTheCommittedResults(string script, string docName)
    {
        var doc = File.ReadAllText(Path.Combine(StudyProcess.RepositoryRoot, "docs", docName));
        var tables = await Print(script);
        Assert.True(tables.Split('\n').Length > 4, tables);
        Assert.True(doc.Contains(tables), $"docs/{docName} does not hold scripts/{script}' output as it is now:\n" + tables);
    }

    /// <summary>The tables of docs/EXPERIMENTS.md that no script prints, by their first line: the setup, the paper's
    /// own Table 1, the findings set against the paper, and the commands.</summary>
    static readonly string[] TablesNotOfResults =
        ["| | |", "| CIFAR-10 | τ = 0.07 |", "| the paper | here (batch negatives, 10 epochs) | |", "| the paper | here (memory bank) | |",
         "| section | preset | trials | time here |"];

    [Fact]
    public async Task EveryTableOfResultsInTheExperimentsIsOneAScriptPrints()
    {
        var printed = string.Join("\n", await Task.WhenAll(ExperimentScripts.Select(Print)));
        var lines = File.ReadAllLines(Path.Combine(StudyProcess.RepositoryRoot, "docs", "EXPERIMENTS.md"));
        var tables = lines.Select((line, i) => (line, i)).Where(x => x.line.StartsWith('|') && (x.i == 0 || !lines[x.i - 1].StartsWith('|')))
            .Select(x => string.Join("\n", lines.Skip(x.i).TakeWhile(l => l.StartsWith('|')))).ToList();
        Assert.True(tables.Count > 20, $"{tables.Count} tables in docs/EXPERIMENTS.md");
        var unprinted = tables.Where(t => !printed.Contains(t) && !TablesNotOfResults.Any(t.StartsWith)).ToList();
        Assert.True(unprinted.Count == 0, "tables of results in docs/EXPERIMENTS.md that no script prints:\n" + string.Join("\n\n", unprinted));
    }

    /// <summary>Each script's output, run once for the theory and the fact alike.</summary>
    static readonly ConcurrentDictionary<string, Task<string>> Printed = new();

    static Task<string> Print(string script) => Printed.GetOrAdd(script, Run);

    static async Task<string> Run(string script)
    {
        var start = new ProcessStartInfo(Path.Combine(StudyProcess.RepositoryRoot, "scripts", script))
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"scripts/{script} did not end in 5 minutes");
        Assert.True(process.ExitCode == 0, await errors);
        return (await output).Trim();
    }

    public static TheoryData<string> CommittedStudies => new(Directory.GetFiles(Results, "results.json", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Results, Path.GetDirectoryName(f)!)).Order());

    [Theory]
    [MemberData(nameof(CommittedStudies))]
    public void TheCollapseRuleStopsNoHealthyTrialAndEveryCollapsedOneWhereItStopped(string study)
    {
        var folder = Path.Combine(Results, study);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        var rule = CollapseRule.Default;
        foreach (var trial in results.RootElement.GetProperty("trials").EnumerateArray())
        {
            var id = trial.GetProperty("trial_id").GetString()!;
            var status = trial.GetProperty("status").GetString();
            var epochs = File.ReadAllLines(Path.Combine(folder, "trials", id, "metrics.jsonl")).Select(EpochMetricsJson.Read).ToList();
            int? stops = Enumerable.Range(1, epochs.Count).Cast<int?>().FirstOrDefault(e => rule.Verdict(epochs.Take(e!.Value).ToList()) is not null);
            if (status == "collapsed") Assert.True(stops == epochs.Count, $"{study}/{id}: collapsed after {epochs.Count} epochs; the rule says {stops}");
            else Assert.True(stops is null, $"{study}/{id} ({status}) would have been stopped at epoch {stops}: {rule.Verdict(epochs.Take(stops ?? 0).ToList())}");
        }
    }
}
