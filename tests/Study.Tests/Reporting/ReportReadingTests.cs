using System.Text.Json;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Storage;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Reporting;

/// <summary>The report's automatic reading claims a trend only when it stands out of the seed spread, and a peak only
/// when the best τ is significantly ahead of every other.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class ReportReadingTests
{
    sealed record Point(double Tau, long Seed, double Objective, double Uniformity, double Tolerance, TrialStatus Status = TrialStatus.Completed, string? Error = null);

    static async Task<IReadOnlyList<string>> Read(StudySpec spec, params Point[] points)
    {
        var store = new MemoryStudyStore();
        var trials = points.Select((p, i) => new TrialRecord("s", $"t{i:000}", i, p.Tau, p.Seed, p.Status, Attempt: 1, EpochsCompleted: p.Status == TrialStatus.Pruned ? 1 : 2,
            Error: p.Error, MetricsJson: p.Status == TrialStatus.Failed ? null : JsonSerializer.Serialize(
                new MetricsRecord(ValLinearAccuracy: p.Objective, Uniformity: p.Uniformity, Tolerance: p.Tolerance), StudyJson.Options))).ToList();
        await store.CreateStudy(new StudyRecord("s", "completed", 1, 1, JsonSerializer.Serialize(spec with { StudyId = "s" }, StudyJson.Compact)), trials);
        var data = await ReportData.Load(store, (await StudyResults.Load(store, "s"))!);
        return ReportReading.Read(data);
    }

    static readonly StudySpec Grid = new() { Taus = [0.1, 0.3, 1.0], Seeds = 1 };

    [Fact]
    public async Task OneSeedShowsTheDirectionButCallsItInconclusive()
    {
        var lines = await Read(Grid, new Point(0.1, 1, 0.70, 3.6, 0.30), new Point(0.3, 1, 0.75, 3.2, 0.40), new Point(1.0, 1, 0.72, 2.5, 0.55));
        var uniformity = lines.Single(l => l.StartsWith("Uniformity"));
        Assert.Contains("Uniformity falls as τ rises", uniformity);
        Assert.Contains("inconclusive", uniformity);
        Assert.Contains("Tolerance rises as τ rises", lines.Single(l => l.StartsWith("Tolerance")));
        var peak = lines.Single(l => l.StartsWith("val_linear_accuracy is highest at τ = 0.3"));
        Assert.Contains("inside the range searched", peak);
        Assert.Contains("inconclusive", peak);
        Assert.DoesNotContain(lines, l => l.Contains("as in the paper"));
    }

    [Fact]
    public async Task SeveralSeedsWithAClearTrendReadAsInThePaper()
    {
        var lines = await Read(Grid with { Seeds = 2 },
            new Point(0.1, 1, 0.70, 3.60, 0.30), new Point(0.1, 2, 0.71, 3.62, 0.31),
            new Point(0.3, 1, 0.80, 3.20, 0.40), new Point(0.3, 2, 0.81, 3.21, 0.41),
            new Point(1.0, 1, 0.72, 2.50, 0.55), new Point(1.0, 2, 0.73, 2.52, 0.56));
        Assert.Contains("as in the paper", lines.Single(l => l.StartsWith("Uniformity falls with τ beyond the seed spread")));
        Assert.Contains("as in the paper", lines.Single(l => l.StartsWith("Tolerance rises with τ beyond the seed spread")));
        var peak = lines.Single(l => l.StartsWith("val_linear_accuracy peaks at τ = 0.3"));
        Assert.Contains("ahead of τ = 1 by 0.0800 (Holm p < 0.0001, 2 seeds) and τ = 0.1 by 0.1000", peak);
        Assert.DoesNotContain("inconclusive", peak);
    }

    [Fact]
    public async Task DifferencesInsideTheSeedSpreadAreInconclusive()
    {
        var lines = await Read(Grid with { Seeds = 2 },
            new Point(0.1, 1, 0.70, 3.0, 0.30), new Point(0.1, 2, 0.80, 3.6, 0.50),
            new Point(0.3, 1, 0.74, 2.9, 0.45), new Point(0.3, 2, 0.76, 3.5, 0.30),
            new Point(1.0, 1, 0.79, 2.8, 0.33), new Point(1.0, 2, 0.71, 3.5, 0.48));
        Assert.Contains("inconclusive: the differences are inside the seed spread", lines.Single(l => l.StartsWith("Uniformity")));
        Assert.Contains("inconclusive: the differences are inside the seed spread", lines.Single(l => l.StartsWith("Tolerance")));
        Assert.Contains("inconclusive against the others: not significantly ahead of", lines.Single(l => l.StartsWith("val_linear_accuracy is highest at")));
    }

    [Fact]
    public async Task PrunedAndFailedTrialsAreNamedWithTheirReason()
    {
        var lines = await Read(Grid with { Pruner = PrunerKind.Median },
            new Point(0.1, 1, 0.70, 3.6, 0.30), new Point(0.3, 1, 0.6, 3.2, 0.40, Status: TrialStatus.Pruned),
            new Point(1.0, 1, 0, 0, 0, Status: TrialStatus.Failed, Error: "loss became NaN at epoch 1, step 3"));
        Assert.Contains(lines, l => l.StartsWith("Trial t001 (τ = 0.3, seed 1) was pruned by the median pruner after 1 of 2 epochs"));
        Assert.Contains(lines, l => l.StartsWith("Trial t002 (τ = 1, seed 1) failed") && l.Contains("loss became NaN at epoch 1, step 3"));
        Assert.Contains("inconclusive — fewer than three temperatures", lines.Single(l => l.StartsWith("Uniformity")));
    }
}
