using Study.Client.Commands;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>Shell completion comes from the commands' declarations (docs/CLI.md has the bash snippet that asks for it).</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class CompletionTests
{
    static string[] Completions(string line) =>
        [.. StudyCommandLine.Root.Parse(line).GetCompletions(line.Length).Select(c => c.Label)];

    [Fact]
    public void OptionsCommandsAndValuesComplete()
    {
        Assert.Contains("--epochs", Completions("run --epo"));
        Assert.Contains("compare", Completions("comp"));
        Assert.Equal(["hard", "hard-simple"], Completions("train --loss ha"));
    }

    [Fact]
    public void TheSuggestDirectiveCompletesInTheShell()
    {
        var result = StudyProcess.Run("[suggest:9]", "run --epo");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--epochs", result.Stdout.Split('\n', StringSplitOptions.TrimEntries));
    }
}
