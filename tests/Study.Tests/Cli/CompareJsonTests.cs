using System.Text.Json;
using Study.Client.Reporting;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>
/// `study compare --json` of a real two-seed study: every τ's n, mean, sd and 95% interval, and the best τ's paired
/// t-test against the other with Holm's p, each equal to what the trials' own figures (from `study show`) give; and
/// the report's reading and table that rest on the same tests.
/// </summary>
public sealed class CompareJsonTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-compare-").FullName;
    string Store => Path.Combine(dir, "studies.db");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void CompareJsonGivesIntervalsAndTestsThatTheTrialsFiguresReproduce()
    {
        var run = StudyProcess.Run(TimeSpan.FromMinutes(6), dir, "run", "--dataset", "synthetic", "--subset", "512", "--eval-subset", "200",
            "--batch-size", "128", "--taus", "0.05,2", "--seeds", "2", "--epochs", "1", "--store", Store, "--out", Path.Combine(dir, "out"), "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var id = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("study_id").GetString()!;
        var trials = JsonDocument.Parse(StudyProcess.Run(TimeSpan.FromMinutes(1), dir, "show", id, "--json", "--store", Store).Stdout)
            .RootElement.GetProperty("trials").EnumerateArray()
            .Select(t => (Tau: t.GetProperty("tau").GetDouble(), Seed: t.GetProperty("seed").GetInt64(),
                Objective: t.GetProperty("metrics").GetProperty("val_linear_accuracy").GetDouble(),
                Uniformity: t.GetProperty("metrics").GetProperty("uniformity").GetDouble()))
            .ToList();

        var compared = StudyProcess.Run(TimeSpan.FromMinutes(1), dir, "compare", id, "--json", "--store", Store);
        Assert.True(compared.ExitCode == 0, compared.Stderr);
        var root = JsonDocument.Parse(compared.Stdout).RootElement;
        Assert.Equal("study-compare/1", root.GetProperty("schema").GetString());
        Assert.Equal(0.95, root.GetProperty("confidence").GetDouble());
        var study = Assert.Single(root.GetProperty("studies").EnumerateArray().ToList());
        Assert.Equal(id, study.GetProperty("study_id").GetString());
        Assert.Equal("val_linear_accuracy", study.GetProperty("objective").GetString());
        foreach (var temperature in study.GetProperty("temperatures").EnumerateArray())
        {
            double tau = temperature.GetProperty("tau").GetDouble();
            var mine = trials.Where(t => t.Tau == tau).ToList();
            Assert.Equal([1L, 2L], temperature.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt64()));
            foreach (var (name, values) in new[] { ("objective", mine.Select(t => t.Objective)), ("uniformity", mine.Select(t => t.Uniformity)) })
            {
                var expected = SeedSummary.Of(values.Select(v => (double?)v))!;
                var summary = temperature.GetProperty(name);
                Assert.Equal(2, summary.GetProperty("n").GetInt32());
                Assert.Equal(expected.Mean, summary.GetProperty("mean").GetDouble(), 12);
                Assert.Equal(expected.Sd, summary.GetProperty("sd").GetDouble(), 12);
                Assert.Equal(expected.Low95!.Value, summary.GetProperty("ci95_low").GetDouble(), 12);
                Assert.Equal(expected.High95!.Value, summary.GetProperty("ci95_high").GetDouble(), 12);
            }
        }

        var best = study.GetProperty("best");
        double bestTau = best.GetProperty("tau").GetDouble(), otherTau = bestTau == 0.05 ? 2 : 0.05;
        Assert.True(trials.Where(t => t.Tau == bestTau).Average(t => t.Objective) >= trials.Where(t => t.Tau == otherTau).Average(t => t.Objective));
        var versus = Assert.Single(best.GetProperty("versus_others").EnumerateArray().ToList());
        Assert.Equal(otherTau, versus.GetProperty("tau").GetDouble());
        Assert.Equal(2, versus.GetProperty("paired_seeds").GetInt32());
        var pairs = trials.Where(t => t.Tau == bestTau).OrderBy(t => t.Seed)
            .Zip(trials.Where(t => t.Tau == otherTau).OrderBy(t => t.Seed), (b, o) => (b.Objective, o.Objective)).ToList();
        var test = Significance.PairedT(pairs)!;
        Assert.Equal(test.P, versus.GetProperty("p").GetDouble(), 12);
        Assert.Equal(test.P, versus.GetProperty("p_holm").GetDouble(), 12); // one comparison: Holm leaves it
        Assert.Equal(test.P < 0.05, versus.GetProperty("significant").GetBoolean());
        Assert.Equal(test.P < 0.05, best.GetProperty("decided").GetBoolean());

        // The report reads the same test: its peak line gives the Holm p, and its table lists the comparison.
        Assert.Equal(0, StudyProcess.Run(TimeSpan.FromMinutes(2), dir, "report", id, "--store", Store, "--out", Path.Combine(dir, "report")).ExitCode);
        var html = File.ReadAllText(Path.Combine(dir, "report", "report.html"));
        Assert.Contains("<table id=\"versus-best\">", html);
        Assert.Contains($"Holm {System.Net.WebUtility.HtmlEncode(Significance.Format(test.P))}, 2 seeds", html);

        var both = StudyProcess.Run(TimeSpan.FromMinutes(1), dir, "compare", id, "--json", "--markdown", "--store", Store);
        Assert.Equal((2, "study: compare: give --json or --markdown, not both"), (both.ExitCode, both.Stderr.Trim()));
    }
}
