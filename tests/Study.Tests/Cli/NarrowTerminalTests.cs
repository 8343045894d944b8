using System.Text.Json;
using Study.Client.Commands;
using Study.Client.Progress;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>At 80 columns the end-of-study table and the live view keep every trial id, state and silo address
/// whole on one line (they leave columns out instead); with room, every column is there.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class NarrowTerminalTests
{
    static async Task<MemoryStudyStore> Study()
    {
        var store = new MemoryStudyStore();
        var metrics = JsonSerializer.Serialize(new MetricsRecord(ValLinearAccuracy: 0.8123, Uniformity: 3.2101, Tolerance: 0.4321), StudyJson.Options);
        string[] states = ["completed", "collapsed", "cancelled", "running", "failed", "queued"];
        var trials = states.Select((state, i) => new TrialRecord("study-20261207-054229-401815fd", $"t{i:000}-tau0.07-s{i + 1}", i, 0.07, i + 1, TrialStatuses.Parse(state),
            Attempt: 1, EpochsCompleted: 2, Silo: state == "running" ? "127.0.0.1:45859@155626951" : null,
            Error: state == "collapsed" ? "collapsed: validation uniformity 3.096e-6 at epoch 2, below the floor 0.1, as at epoch 1 (8.499e-6), and no higher" : null,
            MetricsJson: state == "completed" ? metrics : null)).ToList();
        var spec = new StudySpec { StudyId = "study-20261207-054229-401815fd", Taus = [0.07] };
        await store.CreateStudy(new StudyRecord(spec.StudyId, "running", 1, 1, JsonSerializer.Serialize(spec, StudyJson.Compact)), trials);
        return store;
    }

    static void EveryLineFitsAndKeeps(string text, int width, IEnumerable<string> whole)
    {
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= width, $"wider than {width}: '{l}'"));
        foreach (var item in whole) Assert.Contains(lines, l => l.Contains(item));
    }

    [Fact]
    public async Task TheStudyTableKeepsIdsAndStatesWholeAt80Columns()
    {
        var store = await Study();
        var results = (await StudyResults.Load(store, "study-20261207-054229-401815fd"))!;
        var narrow = ConsoleTables.Render(StudySummary.Table(results, 80), 80);
        EveryLineFitsAndKeeps(narrow, 80, results.Entries.SelectMany(e => new[] { e.TrialId, e.Status.Name() }));
        Assert.Contains("0.8123", narrow); // the objective stays
        Assert.DoesNotContain("collapsed: validation", narrow); // the note went first
        var wide = ConsoleTables.Render(StudySummary.Table(results, 200), 200);
        Assert.Contains("collapsed: validation", wide);
        Assert.Contains("tolerance", wide);
    }

    [Fact]
    public async Task TheLiveViewKeepsTheSiloAddressWholeAt80Columns()
    {
        var store = await Study();
        var model = await StudyProgressModel.Read(store, "study-20261207-054229-401815fd");
        var narrow = ConsoleTables.Render(LiveProgress.Render(model, null, 80), 80);
        var table = narrow.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+0\.07\s")).ToList();
        Assert.Equal(6, table.Count); // one line a trial
        foreach (var state in new[] { "completed", "collapsed", "running" }) Assert.Contains(table, l => l.Contains(state));
        Assert.All(table, l => Assert.True(l.TrimEnd().Length <= 80, $"wider than 80: '{l}'"));
        var running = table.Single(l => l.Contains("running"));
        Assert.True(running.Contains("127.0.0.1:4585") || !running.Contains("127.0.0.1"), $"the silo's address is split: '{running}'");
    }
}
