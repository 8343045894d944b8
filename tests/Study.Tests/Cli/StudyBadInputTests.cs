using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>A store with one finished study, shared by the bad-input cases below.</summary>
public sealed class StoreWithOneStudy : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("study-badinput-").FullName;
    public string Store => Path.Combine(Dir, "studies.db");
    public string StudyId { get; }

    public StoreWithOneStudy()
    {
        var run = StudyProcess.Run(TimeSpan.FromMinutes(3), Dir, "run", "--dataset", "synthetic", "--taus", "0.5", "--epochs", "1",
            "--subset", "256", "--eval-subset", "100", "--batch-size", "128", "--store", Store, "--out", Path.Combine(Dir, "out"));
        if (run.ExitCode != 0) throw new InvalidOperationException(run.Stderr);
        using var results = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "out", "results.json")));
        StudyId = results.RootElement.GetProperty("study_id").GetString()!;
        Original = Contents();
        if (!Original.Contains(StudyId)) throw new InvalidOperationException("the store's dump lacks the study:\n" + Original);
    }

    /// <summary>What the store held when the fixture had made it: every rejected command must leave it so.</summary>
    public string Original { get; }

    /// <summary>Every row of every table the store holds, its schema included, in a fixed order. Read here rather
    /// than through `study list` and `study show`: two more process starts per case were two thirds of this class's
    /// time, and a dump of the file sees any change those views leave out.</summary>
    public string Contents()
    {
        using var connection = new SqliteConnection($"Data Source={Store};Pooling=False");
        connection.Open();
        var tables = Rows(connection, "SELECT name FROM sqlite_master WHERE type = 'table'");
        return string.Join("\n", Rows(connection, "SELECT * FROM sqlite_master").Concat(
            tables.SelectMany(table => Rows(connection, $"SELECT * FROM \"{table}\"").Select(row => $"{table}: {row}"))));
    }

    static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => Cell(reader.GetValue(i)))));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    static string Cell(object value) =>
        value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>Bad input to run, submit, show, resume and cancel: exit 2, one line on stderr, the store unchanged.</summary>
public sealed class StudyBadInputTests(StoreWithOneStudy fixture) : IClassFixture<StoreWithOneStudy>
{
    void AssertRejected(string mentions, params string[] args)
    {
        var result = StudyProcess.Run(TimeSpan.FromMinutes(1), fixture.Dir, [.. args, "--store", fixture.Store]);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Single(result.StderrLines);
        Assert.Contains(mentions, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Equal(fixture.Original, fixture.Contents());
    }

    static readonly string[] Run = ["run", "--dataset", "synthetic", "--epochs", "1", "--subset", "256"];

    [Theory]
    [InlineData("0.1,,0.3")]
    [InlineData("0.1,abc")]
    [InlineData("0.1,-1")]
    [InlineData("0.1,0")]
    [InlineData("0.1,0.1")]
    public void BadTauLists(string taus) => AssertRejected("--taus", [.. Run, "--taus", taus]);

    [Theory]
    [InlineData("2:0.1")]
    [InlineData("x:1")]
    [InlineData("0.1")]
    [InlineData("0:1")]
    public void BadTauRanges(string range) => AssertRejected("--tau-range", [.. Run, "--search", "random", "--tau-range", range]);

    [Theory]
    [InlineData("0.1:1,0.2", "mixes")]                 // values and ranges together
    [InlineData("0.5:0.1", "τ− below τ+")]
    [InlineData("0.2:0.2", "τ− below τ+")]
    [InlineData("0.1:1,0.1:1", "repeats")]
    [InlineData("0.1:x", "--taus")]
    [InlineData("0.3", "two τ values")]               // a cosine schedule needs a range: two values at least
    public void BadCosineGrids(string taus, string mentions) =>
        AssertRejected(mentions, [.. Run, "--tau-schedule", "cosine", "--taus", taus]);

    [Fact]
    public void ARangeWithoutTheCosineScheduleIsRejected() => AssertRejected("--tau-schedule cosine", [.. Run, "--taus", "0.1:1"]);

    [Fact]
    public void ACosineScheduleForALossWithoutTauIsRejected() =>
        AssertRejected("--tau-schedule cosine", [.. Run, "--loss", "simple", "--tau-schedule", "cosine"]);

    [Theory]
    [InlineData("--tau-schedule", "linear", "--tau-schedule")]
    [InlineData("--tau-period", "0", "--tau-period")]
    [InlineData("--tau-period", "-2", "--tau-period")]
    [InlineData("--asha-reduction-factor", "1", "--asha-reduction-factor")]
    [InlineData("--asha-min-epochs", "0", "--asha-min-epochs")]
    [InlineData("--median-startup-trials", "-1", "--median-startup-trials")]
    [InlineData("--median-warmup-epochs", "-1", "--median-warmup-epochs")]
    [InlineData("--split-seed", "-1", "--split-seed")]
    public void BadScheduleAndPrunerOptions(string option, string value, string mentions) =>
        AssertRejected(mentions, [.. Run, option, value]);

    [Theory]
    [InlineData("--search", "bayes", "--search")]
    [InlineData("--pruner", "hyperband", "--pruner")]
    [InlineData("--objective", "accuracy", "--objective")]
    [InlineData("--trials", "0", "--trials")]
    [InlineData("--seeds", "0", "--seeds")]
    [InlineData("--parallel", "0", "--parallel")]
    [InlineData("--max-restarts", "-1", "--max-restarts")]
    public void BadStudyOptions(string option, string value, string mentions)
    {
        string[] extra = option == "--trials" ? ["--search", "random"] : [];
        AssertRejected(mentions, [.. Run, .. extra, option, value]);
    }

    [Fact]
    public void CudaWithoutAGpuIsRejectedBeforeAnythingIsStored() =>
        AssertRejected("--device cuda: no CUDA device here", [.. Run, "--device", "cuda"]);

    [Theory]
    [InlineData("--seeds", "101", "--seeds: 101 is too large (at most 100)")]
    [InlineData("--trials", "10001", "--trials: 10001 is too large (at most 10,000)")]
    [InlineData("--threads", "257", "--threads: 257 is too large (at most 256)")]
    [InlineData("--batch-size", "16385", "--batch-size: 16385 is too large (at most 16,384)")]
    [InlineData("--max-restarts", "101", "--max-restarts: 101 is too large (at most 100)")]
    public void UnboundedValuesHaveABound(string option, string value, string message)
    {
        string[] extra = option == "--trials" ? ["--search", "random"] : [];
        AssertRejected(message, [.. Run, .. extra, option, value]);
    }

    [Fact]
    public void TrialsTimesSeedsBeyondAStudysSizeIsRejected() =>
        AssertRejected("--seeds: 10,000 trials × 100 seeds is more than 100,000 trials in one study",
            [.. Run, "--search", "random", "--trials", "10000", "--seeds", "100"]);

    [Theory]
    [InlineData("random")]
    [InlineData("adaptive")]
    public void MoreTrialsThanTheRangeHoldsIsRejected(string search) =>
        AssertRejected("--trials: 3 trials need as many distinct τ, but --tau-range 0.3:0.300001 holds only 2 at 6 decimals",
            [.. Run, "--search", search, "--tau-range", "0.3:0.300001", "--trials", "3"]);

    [Fact]
    public void TrialsWithAGridIsRejected() => AssertRejected("--trials", [.. Run, "--trials", "4"]);

    [Fact]
    public void UnknownStudyIds()
    {
        AssertRejected("no study 'nope'", "show", "nope");
        AssertRejected("no study 'nope'", "resume", "nope");
        AssertRejected("no study 'nope'", "cancel", "nope");
        AssertRejected("no study 'nope'", "watch", "nope");
        AssertRejected("one study id", "show");
        AssertRejected("no study 'nope'", "compare", fixture.StudyId, "nope");
        AssertRejected("one or more study ids", "compare");
    }

    [Fact]
    public void ResumingAFinishedStudyIsRefused() => AssertRejected("nothing to resume", "resume", fixture.StudyId);

    [Fact]
    public void AClientCertificateWithoutTheAuthorityIsRejected()
    {
        var result = StudyProcess.Run(TimeSpan.FromMinutes(1), fixture.Dir, new Dictionary<string, string> { ["STUDY_TLS_CERTIFICATE"] = "client.pem" },
            "submit", "--dataset", "synthetic", "--taus", "0.5", "--cluster", "Host=127.0.0.1;Port=1;Username=nobody;Database=none");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("study: STUDY_TLS_CERTIFICATE: give STUDY_TLS_CA too (the cluster's authority)", Assert.Single(result.StderrLines));
        Assert.Equal(fixture.Original, fixture.Contents());
    }

    [Fact]
    public void SubmitWithoutACluster() => AssertRejected("--cluster", "submit", "--dataset", "synthetic");

    [Fact]
    public void AnUnreachableClusterIsReportedWithin30Seconds()
    {
        var clock = Stopwatch.StartNew();
        var result = StudyProcess.Run(TimeSpan.FromMinutes(1), fixture.Dir, "submit", "--dataset", "synthetic", "--taus", "0.5",
            "--cluster", "Host=127.0.0.1;Port=1;Username=nobody;Database=none");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.Contains("--cluster", result.Stderr);
    }
}
