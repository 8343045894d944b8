using System.CommandLine;
using System.CommandLine.Parsing;

namespace Study.Grains.Hosting;

/// <summary>How a program words the problems only it can phrase: an unknown option and a stray argument (at the root
/// command: an unknown command).</summary>
public sealed record CommandLineWording(Func<string, Command, string> UnknownOption, Func<string, Command, string> UnexpectedArgument);

/// <summary>What is wrong with a command line, as the one line the programs print before exiting 2.</summary>
public static class CommandLineProblems
{
    /// <summary>The first problem, in the order a reader of the command line meets them; null when there is none.</summary>
    public static string? First(LayeredParse parsed, CommandLineWording wording)
    {
        var parse = parsed.Parse;
        var command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens is [var token, ..])
        {
            if (FlagWithValue(parsed.Args, command, token) is { } flag) return flag;
            return token.StartsWith("--", StringComparison.Ordinal) ? wording.UnknownOption(token.Split('=')[0], command)
                : wording.UnexpectedArgument(token, command);
        }
        if (parse.CommandResult.Children.OfType<OptionResult>().FirstOrDefault(r => r.IdentifierTokenCount > 1) is { } twice)
            return $"{twice.Option.Name} is given twice";
        if (parse.Errors is not [var error, ..]) return null;
        return error.SymbolResult is OptionResult { Tokens.Count: 0 } missing && missing.Option.Arity.MinimumNumberOfValues > 0
            ? $"{missing.Option.Name} needs a value"
            : error.Message.TrimEnd('.');
    }

    /// <summary>"--json=yes": the parser takes the flag, and leaves "yes" over.</summary>
    static string? FlagWithValue(IReadOnlyList<string> args, Command command, string token)
    {
        var flag = command.Options.FirstOrDefault(o => o.ValueType == typeof(bool) && args.Contains($"{o.Name}={token}"));
        return flag is null ? null
            : flag.Arity.MaximumNumberOfValues == 0 ? $"{flag.Name} takes no value" : $"{flag.Name}: '{token}' is not true or false";
    }
}
