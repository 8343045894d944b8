using Study.Client.Cli;
using Study.Client.Commands;
using Study.Grains.Hosting;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>Every command's --help, and the parsing of study options in-process.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class HelpAndParsingTests
{
    public static TheoryData<string> Commands => new(StudyCommandLine.Commands.Select(c => c.Name));

    /// <summary>Each command's options, as its parser declares them.</summary>
    static IEnumerable<System.CommandLine.Option> Parsers(string command) => StudyCommandLine.Commands.Single(c => c.Name == command).Options;

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandHasHelpWithItsOptionsAndExamples(string command)
    {
        var result = StudyProcess.Run(command, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"usage: ./study {command}", result.Stdout);
        var examples = result.Stdout[result.Stdout.IndexOf("\nexamples:\n", StringComparison.Ordinal)..];
        Assert.Contains($"./study {command}", examples);
        foreach (var option in Parsers(command))
            Assert.Contains($"  {option.Name}", result.Stdout);
    }

    [Fact]
    public void TheOverviewListsEveryCommand()
    {
        var result = StudyProcess.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var command in StudyCommandLine.Commands.Select(c => c.Name)) Assert.Matches($@"\n  {command} +\S", result.Stdout);
        var none = StudyProcess.Run();
        Assert.Equal(2, none.ExitCode);
        var unknown = StudyProcess.Run("rnu", "--help");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("did you mean 'run'", unknown.Stderr);
    }

    [Fact]
    public void StudyOptionsParseWithTheirDefaults()
    {
        var spec = StudyOptionReader.Read(StudyCommandLine.Parse(["run"]), "s");
        Assert.Equal([0.07, 0.2, 0.3, 0.5, 0.7, 1.0], spec.Taus);
        Assert.Equal(("fashion-mnist", SearchKind.Grid, LossKind.InfoNce, PrunerKind.None, 2, 256, 1, 3), (spec.Dataset, spec.Search, spec.Loss, spec.Pruner,
            spec.Epochs, spec.BatchSize, spec.Seeds, spec.MaxRestarts));
        Assert.Equal("val_linear_accuracy", spec.ValidationObjective);
    }

    [Fact]
    public void FlagsOverrideTheConfigFile()
    {
        var config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, """{"dataset": "synthetic", "batchSize": 128, "search": "adaptive", "trials": 8, "tauRange": "0.05:2"}""");
            var a = StudyCommandLine.Parse(["run", "--config", config, "--batch-size=64", "--seeds", "3", "--pruner", "asha"]);
            var spec = StudyOptionReader.Read(a, "s");
            Assert.Equal(("synthetic", 64, SearchKind.Adaptive, (int?)8, 0.05, 2.0, 3, PrunerKind.Asha),
                (spec.Dataset, spec.BatchSize, spec.Search, spec.Trials, spec.TauMin, spec.TauMax, spec.Seeds, spec.Pruner));
            Assert.Equal(24, spec.TotalTrials);
        }
        finally { File.Delete(config); }
    }

    [Theory]
    [InlineData("--taus", "0.3,abc", "--taus")]
    [InlineData("--tau-range", "2:0.05", "--tau-range")]
    [InlineData("--search", "bayes", "--search")]
    [InlineData("--pruner", "hyperband", "--pruner")]
    [InlineData("--trials", "0", "--trials")]
    [InlineData("--seeds", "-1", "--seeds")]
    [InlineData("--objective", "accuracy", "--objective")]
    public void BadStudyOptionsNameTheOption(string option, string value, string mentioned)
    {
        string[] args = option == "--search" ? [option, value] : [option, value, "--search", "random"];
        var e = Assert.Throws<UsageException>(() => StudyOptionReader.Read(StudyCommandLine.Parse(["run", .. args]), "s"));
        Assert.Contains(mentioned, e.Message);
    }

    [Fact]
    public void UnknownOptionsSuggestTheClosest()
    {
        var e = Assert.Throws<UsageException>(() => StudyCommandLine.Parse(["run", "--epoch", "3"]));
        Assert.Contains("did you mean 'epochs'", e.Message);
        Assert.Throws<UsageException>(() => StudyCommandLine.Parse(["run", "--json=yes"]));
        Assert.Throws<UsageException>(() => StudyCommandLine.Parse(["run", "--epochs", "1", "--epochs", "2"]));
    }
}
