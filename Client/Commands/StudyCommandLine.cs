using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>
/// The command line of ./study (docs/CLI.md): its commands, the overview --help prints, and how a command line is read:
/// under it the command's --config file and STUDY_CLUSTER (<see cref="LayeredCommandLine"/>), and bad input of any
/// kind in one line.
/// </summary>
public static class StudyCommandLine
{
    public static RootCommand Root { get; } = Build();

    /// <summary>The commands, in the order the overview lists them.</summary>
    public static IEnumerable<StudyCommand> Commands => Root.Subcommands.OfType<StudyCommand>();

    public static string Overview => $"""
        {Root.Description}

        usage: ./study <command> [options]        ./study <command> --help

        commands:
        {string.Join(Environment.NewLine, Commands.Select(c => $"  {c.Name,-8} {FirstSentence(c.Description!)}"))}

        examples:
          ./study run                                    the default study (Fashion-MNIST, the paper's six τ), embedded
          ./study run --dataset synthetic --taus 0.1,0.3,1.0 --epochs 2
          ./study list
          ./study train --dataset fashion-mnist --tau 0.2 --epochs 1 --subset 8192 --eval-subset 2000 --json
        """;

    /// <summary>The command line and the layers under it, parsed; what is wrong with it is <see cref="Problem"/>'s.</summary>
    public static LayeredParse Read(IReadOnlyList<string> args) => LayeredCommandLine.Parse(Root, args, parse => new SettingLayers(
        parse.GetValue(CommonOptions.Config) is { } file ? new StudyConfigFile(file, parse.CommandResult.Command.Options) : null,
        "STUDY_", option => option == StudyStores.Cluster && !parse.Given(StudyStores.Store)));

    /// <summary>The command line as a command reads it.</summary>
    /// <exception cref="UsageException">bad input of any kind</exception>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        var parsed = Read(args);
        return Problem(parsed) is { } problem ? throw new UsageException(problem) : parsed.Parse;
    }

    public static string? Problem(LayeredParse parsed) => CommandLineProblems.First(parsed, Wording);

    static readonly CommandLineWording Wording = new(
        (option, command) => command is RootCommand ? UnknownCommand(option)
            : $"unknown option {option} for 'study {command.Name}'{ClosestName.Hint(option[2..], command.Options.Select(o => o.Name[2..]))}",
        (argument, command) => command is RootCommand ? UnknownCommand(argument) : $"study {command.Name}: unexpected argument '{argument}'");

    static string UnknownCommand(string name) => $"unknown command '{name}'{ClosestName.Hint(name, Commands.Select(c => c.Name))}; see study --help";

    static RootCommand Build()
    {
        var root = new RootCommand("study: temperature studies of contrastive learning on an Orleans cluster");
        foreach (var command in new[]
                 {
                     RunCommand.Declaration, SubmitCommand.Declaration, WatchCommand.Declaration, ListCommand.Declaration, ShowCommand.Declaration,
                     CancelCommand.Declaration, ResumeCommand.Declaration, ReportCommand.Declaration, CompareCommand.Declaration, TrainCommand.Declaration,
                     BenchCommand.Declaration, DashboardCommand.Declaration, DevicesCommand.Declaration,
                 })
            root.Subcommands.Add(command);
        // `study help` as `study --help`, as before the option existed.
        var help = new Command("help") { Hidden = true };
        help.Arguments.Add(new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore });
        help.SetAction(_ => Console.WriteLine(Overview));
        root.Subcommands.Add(help);
        CommandLineHelp.Install(root, c => c is StudyCommand command ? command.Help : Overview);
        return root;
    }

    static string FirstSentence(string text) => text.Split(". ")[0].TrimEnd('.');
}
