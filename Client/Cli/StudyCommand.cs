using System.CommandLine;
using Study.Grains.Hosting;

namespace Study.Client.Cli;

/// <summary>A command of ./study, with what its help shows beyond its options: the usage line and examples.</summary>
public sealed class StudyCommand : Command
{
    public StudyCommand(string name, string usage, string summary, IReadOnlyList<string> examples, IEnumerable<Option> options) : base(name, summary)
    {
        Usage = usage;
        Examples = examples;
        foreach (var option in options) Options.Add(option);
    }

    /// <summary>After <c>./study</c>: "watch ID [options]".</summary>
    public string Usage { get; }

    public IReadOnlyList<string> Examples { get; }

    public string Help => CommandLineHelp.For(this, "./study " + Usage, ("examples", Examples));

    /// <summary>Takes no arguments besides its options.</summary>
    public StudyCommand WithAction(Func<ParseResult, CancellationToken, Task<int>> action)
    {
        SetAction(action);
        return this;
    }

    /// <summary>Takes no arguments besides its options, and runs to its end synchronously.</summary>
    public StudyCommand WithAction(Func<ParseResult, CancellationToken, int> action) => WithAction((parse, cancel) => Task.FromResult(action(parse, cancel)));

    /// <summary>Takes study ids: exactly one, or with <paramref name="several"/> one or more.</summary>
    public StudyCommand WithStudyIds(bool several, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        Arguments.Add(CommonOptions.StudyIds);
        Validators.Add(r =>
        {
            var count = r.GetValue(CommonOptions.StudyIds)?.Length ?? 0;
            if (several ? count == 0 : count != 1)
                r.AddError(several ? $"study {Name} takes one or more study ids (see study list)" : $"study {Name} takes one study id (see study list)");
        });
        return WithAction(action);
    }
}
