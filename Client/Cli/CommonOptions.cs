using System.CommandLine;
using Study.Grains.Hosting;

namespace Study.Client.Cli;

/// <summary>Options that several commands take, each the same object in every command that has it.</summary>
public static class CommonOptions
{
    /// <summary>The study ids of watch, show, cancel, resume, report and compare (how many: <see cref="StudyCommand.WithStudyIds"/>).</summary>
    public static readonly Argument<string[]> StudyIds = new("ID") { Arity = ArgumentArity.ZeroOrMore };

    /// <summary>The one study id of a command that takes one.</summary>
    public static string StudyId(ParseResult parse) => parse.GetValue(StudyIds)!.Single();

    public static readonly Option<bool> Json = TypedOptions.Flag("--json", "print JSON on stdout instead of tables (docs/CLI.md says what each command prints)");

    public static readonly Option<string?> Out = TypedOptions.Text("--out", "output folder (default: ./studies/<study-id>)", "DIR");

    /// <summary>Where a study's files go: --out, or <see cref="DefaultOutFolder"/>.</summary>
    public static string OutFolder(ParseResult parse, string studyId) => parse.GetValue(Out) ?? DefaultOutFolder(studyId);

    public static string DefaultOutFolder(string studyId) => Path.Combine("studies", studyId);

    /// <summary>Read by the layering of the command line (<see cref="StudyConfigFile"/>), never by a command.</summary>
    public static readonly Option<string?> Config = TypedOptions.Text("--config", "a JSON file with the same options in camelCase; flags override it", "FILE");

    /// <summary>Read before the command runs (Program), since the telemetry is set up before.</summary>
    public static readonly Option<bool> Dashboard =
        TypedOptions.Flag("--dashboard", "start the local dashboard (./study dashboard) if none runs, and send it this study's telemetry");
}
