using Study.Client.Commands;

namespace Study.Client.Cli;

/// <summary>The help texts of `study` and each command.</summary>
public static class Help
{
    public static readonly string[] Commands = ["run", "submit", "watch", "list", "show", "cancel", "resume", "report", "train", "bench"];

    public const string Overview = """
        study: temperature studies of contrastive learning on an Orleans cluster

        usage: ./study <command> [options]        ./study <command> --help

        commands:
          train    one τ in-process, no cluster: the same trainer and evaluation as a trial
          bench    throughput of the training step (images/s)
          run, submit, watch, list, show, cancel, resume, report: studies (the study runtime)

        examples:
          ./study train --dataset fashion-mnist --tau 0.2 --epochs 1 --subset 8192 --eval-subset 2000 --json
          ./study bench --json
        """;

    public static string For(string command) => command switch
    {
        "train" => Describe("train", "Trains and evaluates one τ in this process and writes <out>/trials/<trial-id>/.",
            TrainCommand.Specs, "./study train --dataset synthetic --tau 0.5 --epochs 2 --json"),
        "bench" => Describe("bench", "Times the product's training step on Fashion-MNIST; prints images/s.",
            BenchCommand.Specs, "./study bench --steps 40 --warmup 5 --json"),
        _ => Overview,
    };

    static string Describe(string command, string summary, IEnumerable<OptionSpec> specs, string example)
    {
        var lines = new List<string> { $"usage: ./study {command} [options]", "", summary, "", "options:" };
        foreach (var s in specs)
        {
            var left = s.IsFlag ? $"--{s.Name}" : $"--{s.Name} {s.ValueName}";
            lines.Add($"  {left,-24} {s.Help}{(s.Default is null ? "" : $" (default: {s.Default})")}");
        }
        lines.Add("");
        lines.Add("example:");
        lines.Add($"  {example}");
        return string.Join(Environment.NewLine, lines);
    }
}
