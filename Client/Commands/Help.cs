using Study.Client.Cli;

namespace Study.Client.Commands;

/// <summary>The help texts of `study` and each command: usage, what it does, its options, examples. It sits with the
/// commands (it names each one's options); the command line's parsing (Cli/) knows nothing of them.</summary>
public static class Help
{
    sealed record CommandHelp(string Usage, string Summary, IReadOnlyList<OptionSpec> Options, string[] Examples);

    static readonly Dictionary<string, CommandHelp> Texts = new()
    {
        ["run"] = new("run [options]",
            "Runs a study to completion: an embedded silo and the SQLite store at --store, or the cluster given by --cluster. " +
            "Shows live progress on a terminal (plain lines otherwise) and writes the output folder: results.json, trials.csv, " +
            "report.html, plots/ and trials/. Ctrl-C asks whether to cancel the study or to detach from it.",
            StudyCommandOptions.Run,
            ["./study run", "./study run --dataset synthetic --taus 0.1,0.3,1.0 --epochs 2",
             "./study run --search adaptive --trials 8 --tau-range 0.05:2 --seeds 2 --pruner asha",
             "./study run --negatives memory-bank --projection-head mlp-bn --epochs 4 --subset 10000"]),
        ["submit"] = new("submit --cluster CONN [options]",
            "Submits a study to a running cluster and prints its id as the last line; the study runs on the cluster's silos.",
            StudyCommandOptions.Run,
            ["./study submit --cluster \"Host=db;Username=study;Password=…;Database=study\" --taus 0.07,0.2,0.5"]),
        ["watch"] = new("watch ID [options]",
            "Follows a study until it ends (live view on a terminal), then writes its output folder. Ctrl-C stops watching; the study goes on.",
            StudyCommandOptions.Watch, ["./study watch study-20261129-101500-ab12", "./study watch ID --cluster CONN --json"]),
        ["list"] = new("list [options]", "Lists the studies of the store: id, status, creation time, trials and best τ.",
            ListCommand.Specs, ["./study list", "./study list --json"]),
        ["show"] = new("show ID [options]", "Shows a study and its trials as they stand; --json prints its results.json.",
            StudyCommandOptions.Show, ["./study show ID", "./study show ID --json"]),
        ["cancel"] = new("cancel ID [options]", "Cancels a study: running trials stop at their next step and are marked cancelled.",
            StudyCommandOptions.Plain, ["./study cancel ID", "./study cancel ID --cluster CONN"]),
        ["resume"] = new("resume ID [options]",
            "Continues an interrupted study from its stored state and its trials' checkpoints. Refuses (exit 2) while another process drives it.",
            StudyCommandOptions.Resume, ["./study resume ID", "./study resume ID --cluster CONN"]),
        ["report"] = new("report ID [options]",
            "Rewrites a study's output folder (results.json, trials.csv, report.html, plots/, trials/) from the store alone.",
            ReportCommand.Specs, ["./study report ID", "./study report ID --out /tmp/report"]),
        ["compare"] = new("compare ID [ID ...] [options]",
            "Compares studies from the store alone: each τ's metrics as mean ± sd over its seeds, and what each study (or, with " +
            "--per-seed, each seed: a repetition of the search) spent — trials, epochs, images, seconds — and its best validation objective.",
            CompareCommand.Specs, ["./study compare ID1 ID2", "./study compare ID1 ID2 --per-seed --markdown"]),
        ["train"] = new("train [options]", "Trains and evaluates one τ in this process (no cluster) and writes <out>/trials/<trial-id>/.",
            TrainCommand.Specs, ["./study train --dataset fashion-mnist --tau 0.2 --epochs 1 --subset 8192 --eval-subset 2000 --json",
                                 "./study train --dataset synthetic --tau 0.5 --epochs 2"]),
        ["bench"] = new("bench [options] | bench --runtime [options]",
            "Times the product's training step on Fashion-MNIST (images/s), or with --runtime the study runtime (trials/s, slot utilisation, proposal latency).",
            [.. BenchCommand.Specs, .. RuntimeBenchmark.Specs],
            ["./study bench --steps 40 --warmup 5 --json", "./study bench --device cuda --batch-size 4096 --json",
             "./study bench --runtime --trials 10000 --silos 8 --slots 4 --json"]),
        ["dashboard"] = new("dashboard [options]",
            "Starts the Aspire Dashboard on this machine, in the background, and prints its login address: while it runs, `study` " +
            "commands and silos started here send it their traces, metrics and logs (unless OTEL_* variables send them elsewhere).",
            DashboardCommand.Specs, ["./study dashboard", "./study run --dashboard", "./study dashboard --stop"]),
        ["devices"] = new("devices [options]",
            "Shows what this machine trains on: where libtorch was loaded from (STUDY_LIBTORCH_DIR on a GPU pack), the CUDA devices, " +
            "and the slots a silo started here would have.",
            DevicesCommand.Specs, ["./study devices", "pack/study devices --slots-per-gpu 4 --json"]),
    };

    public static IReadOnlyCollection<string> Commands => Texts.Keys;

    public static string Overview => $"""
        study: temperature studies of contrastive learning on an Orleans cluster

        usage: ./study <command> [options]        ./study <command> --help

        commands:
        {string.Join(Environment.NewLine, Texts.Select(t => $"  {t.Key,-8} {FirstSentence(t.Value.Summary)}"))}

        examples:
          ./study run                                    the default study (Fashion-MNIST, the paper's six τ), embedded
          ./study run --dataset synthetic --taus 0.1,0.3,1.0 --epochs 2
          ./study list
          ./study train --dataset fashion-mnist --tau 0.2 --epochs 1 --subset 8192 --eval-subset 2000 --json
        """;

    public static string For(string command)
    {
        if (!Texts.TryGetValue(command, out var help)) throw new UsageException($"unknown command '{command}'{ClosestName.Hint(command, Commands)}; see study --help");
        var lines = new List<string> { $"usage: ./study {help.Usage}", "", help.Summary, "", "options:" };
        foreach (var s in help.Options.DistinctBy(s => s.Name))
        {
            var left = s.IsFlag ? $"--{s.Name}" : $"--{s.Name} {s.ValueName}";
            lines.Add($"  {left,-24} {s.Help}{(s.Default is null ? "" : $" (default: {s.Default})")}");
        }
        lines.Add("  --help                   this text");
        lines.Add("");
        lines.Add("examples:");
        lines.AddRange(help.Examples.Select(e => "  " + e));
        return string.Join(Environment.NewLine, lines);
    }

    static string FirstSentence(string text) => text.Split(". ")[0].TrimEnd('.');
}
