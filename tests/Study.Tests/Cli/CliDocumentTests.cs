using System.Text.RegularExpressions;
using Study.Client.Commands;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>docs/CLI.md documents the command line the programs declare: every command and every option of each.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class CliDocumentTests
{
    static readonly string Document = File.ReadAllText(Path.Combine(StudyProcess.RepositoryRoot, "docs", "CLI.md"));

    [Fact]
    public void EveryCommandAndOptionOfTheStudyConsoleIsDocumented()
    {
        foreach (var command in StudyCommandLine.Commands)
        {
            Assert.Contains($"| `{command.Name}", Document);
            foreach (var option in command.Options) Assert.True(Document.Contains($"`{option.Name}"), $"{command.Name} {option.Name}");
        }
    }

    /// <summary>./silo --help lists the silo's declared options.</summary>
    [Fact]
    public void EveryOptionOfTheSiloIsDocumented()
    {
        var help = SiloProcess.Run(["--help"]).Stdout;
        var options = Regex.Matches(help, @"^  (--[a-z-]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Where(o => o != "--help").ToList();
        Assert.True(options.Count >= 25, help);
        foreach (var option in options) Assert.True(Document.Contains($"`{option}"), option);
    }
}
