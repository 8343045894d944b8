using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using Study.Client.Cli;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Grains.Storage;
using Study.Training.Randomness;
using Study.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using T = Study.Client.Cli.TrainingOptionDeclarations;

namespace Study.Client.Commands;

/// <summary>
/// <c>study bench</c> (docs/CLI.md): times the product's own training step (<see cref="TrainingStep"/>: augment both
/// views, forward, loss, backward, optimiser step) on Fashion-MNIST and prints images/s; resident memory is
/// sampled at steps 100 and 1,000 to show it stays flat.
/// </summary>
public static class BenchCommand
{
    static readonly int[] MemorySamples = [100, 200, 500, 1000, 2000, 5000];

    static readonly Option<int> Steps = TypedOptions.Int("--steps", "timed steps", 40, min: 1);
    static readonly Option<int> Warmup = TypedOptions.Int("--warmup", "untimed steps first", 5, min: 0);
    /// <summary>Also --runtime's: slots per silo there.</summary>
    public static readonly Option<int?> Slots = TypedOptions.OptionalInt("--slots",
        "training loops at once on the device, as a silo's slots run them; prints their total (default: 1; with --runtime: slots per silo, default: 4)",
        min: 1, helpName: "K");
    static readonly Option<string> Isolation = TypedOptions.Choice("--slot-isolation",
        "with --slots: thread (threads of this process) or process (a process each)", ["thread", "process"], "thread", helpName: "MODE");
    public static readonly Option<bool> Barrier =
        TypedOptions.Flag("--barrier", "wait for a line on stdin after the warm-up (what --slots K --slot-isolation process starts)");
    static readonly Option<double> Tau = TypedOptions.Number("--tau", "temperature of the loss", 0.2, TypedOptions.Positive);
    static readonly Option<bool> Runtime =
        TypedOptions.Flag("--runtime", "benchmark the study runtime instead: trials/s, slot utilisation and proposal latency (the options below)");

    /// <summary>The options of the training step's benchmark alone; those of --runtime alone are <see cref="RuntimeBenchmark.Options"/>.</summary>
    static readonly Option[] StepOptions =
    [
        T.Encoder, T.BatchSize, Steps, Warmup, T.Threads, T.Device, T.Precision, Isolation, Barrier, T.Dataset, T.DataDir, Tau, T.Loss, T.Negatives,
        T.ProjectionHead, T.HardCount,
    ];

    public static StudyCommand Declaration { get; } = Declare();

    static StudyCommand Declare()
    {
        var command = new StudyCommand("bench", "bench [options] | bench --runtime [options]",
            "Times the product's training step on Fashion-MNIST (images/s), or with --runtime the study runtime (trials/s, slot utilisation, proposal latency).",
            ["./study bench --steps 40 --warmup 5 --json", "./study bench --device cuda --batch-size 4096 --json",
             "./study bench --runtime --trials 10000 --silos 8 --slots 4 --json"],
            [.. StepOptions[..7], Slots, .. StepOptions[7..], Runtime, CommonOptions.Json, .. RuntimeBenchmark.Options]);
        command.Validators.Add(r =>
        {
            bool runtime = r.GetValue(Runtime);
            if ((runtime ? StepOptions : RuntimeBenchmark.Options).FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } other)
                r.AddError(runtime ? $"{other.Name} is not an option of bench --runtime" : $"{other.Name} is an option of bench --runtime only");
        });
        return command.WithAction((parse, cancel) => parse.GetValue(Runtime) ? RuntimeBenchmark.Run(parse) : Task.FromResult(Run(parse, cancel)));
    }

    /// <summary>What one loop of the step is timed with.</summary>
    public sealed record Settings(EncoderKind Encoder, ProjectionHeadKind Head, LossSettings Loss, int Batch, int Steps, int Warmup, int Threads, Device Device,
        Precision Precision);

    public sealed record Result(
        string Encoder, int BatchSize, int Steps, int Warmup, int Threads, string Device, string Precision, double Seconds, double ImagesPerSecond,
        IReadOnlyDictionary<string, double> RssMbAtStep, IReadOnlyDictionary<string, double> RssMbRawAtStep, double RssMbEnd);

    static int Run(ParseResult parse, CancellationToken cancel)
    {
        int batch = parse.GetValue(T.BatchSize), steps = parse.GetValue(Steps), warmup = parse.GetValue(Warmup);
        int threads = TrainingOptionReader.Threads(parse);
        var deviceName = parse.GetValue(T.Device)!;
        TrainingOptionReader.CheckDeviceHere(deviceName);
        var loss = new LossSettings(parse.GetValue(T.Loss), parse.GetValue(Tau), Defaults.HardFraction, parse.GetValue(T.Negatives), parse.GetValue(T.HardCount));
        var options = new TrainingOptions { Dataset = parse.GetValue(T.Dataset)!, DataDir = parse.GetValue(T.DataDir) };
        int slots = parse.GetValue(Slots) ?? 1;
        bool json = parse.GetValue(CommonOptions.Json);
        if (slots > 1 && parse.GetValue(Isolation) == "process") return SlotsBenchmark.InProcesses(slots, OneSlotArguments(parse), json, cancel);
        TrainingRuntime.Initialize(threads);
        using var data = TrainCommand.LoadData(options);
        var settings = new Settings(parse.GetValue(T.Encoder), parse.GetValue(T.ProjectionHead), loss, batch, steps, warmup, threads,
            TrainingDevice.Resolve(deviceName), parse.GetValue(T.Precision));
        if (slots > 1)
            return SlotsBenchmark.InThreads(slots, afterWarmup => Measure(data, settings, cancel, afterWarmup), json, cancel);
        Action? waitForGo = parse.GetValue(Barrier) ? () => { Console.WriteLine(SlotsBenchmark.Ready); Console.In.ReadLine(); } : null;
        var result = Measure(data, settings, cancel, waitForGo);
        if (json) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else
        {
            Console.WriteLine($"{Numbers.Fixed(result.ImagesPerSecond, 0)} images/s ({result.Encoder}, batch {batch}, {steps} steps after {warmup} warm-up, " +
                $"{result.Device}, {result.Precision}, {threads} threads)");
            foreach (var (step, mb) in result.RssMbAtStep) Console.WriteLine($"resident memory at step {step}: {Numbers.Fixed(mb, 0)} MB after a full GC ({Numbers.Fixed(result.RssMbRawAtStep[step], 0)} MB before)");
        }
        return cancel.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Completed;
    }

    /// <summary>This command's options as one of K processes gets them: all but --slots, --slot-isolation, --barrier and --json.</summary>
    static IEnumerable<string> OneSlotArguments(ParseResult parse)
    {
        Option[] dropped = [Slots, Isolation, Barrier, CommonOptions.Json];
        return parse.CommandResult.Children.OfType<OptionResult>().Where(r => !r.Implicit && !dropped.Contains(r.Option))
            .SelectMany(r => r.Tokens.Select(t => $"{r.Option.Name}={t.Value}").DefaultIfEmpty(r.Option.Name));
    }

    /// <param name="afterWarmup">called once the warm-up steps are done, before the clock starts (a start line for several loops)</param>
    public static Result Measure(DataSplits data, Settings s, CancellationToken cancel, Action? afterWarmup = null)
    {
        var (encoder, head, loss, batch, steps, warmup, threads, device, precision) = s;
        using var random = new TrialRandom(1);
        using var model = ContrastiveModel.Create(encoder, head, data.Train.Channels, random, device);
        using var optimizer = TrainingStep.CreateOptimizer(model, new TrainingOptions());
        long n = data.Training.Length;
        batch = (int)Math.Min(batch, n);
        using var bank = loss.Negatives == NegativeSource.MemoryBank ? MemoryBank.Random(n, model.ProjectionSize, random, device) : null;
        using var mixed = precision == Precision.Bf16 ? new MixedPrecision(model, device) : null;
        var step = new TrainingStep(model, optimizer, new ContrastiveAugmentation(data.Train.Channels == 3), loss, bank, mixed);
        using var trainingIndices = tensor(data.Training);
        model.train();

        var rss = new Dictionary<string, double>();
        var rawRss = new Dictionary<string, double>();
        long[]? order = null;
        int stepsPerEpoch = (int)(n / batch);
        var clock = new Stopwatch();
        // The trainer's step measures its anchors' hardness too: so does the step timed here.
        var hardness = new HardnessStatistics();
        for (int i = 0; i < warmup + steps && !cancel.IsCancellationRequested; i++)
        {
            if (i == warmup)
            {
                afterWarmup?.Invoke();
                clock.Start();
            }
            int position = i % stepsPerEpoch;
            if (position == 0) order = random.Permutation(n);
            using (var rows = tensor(order![(position * batch)..((position + 1) * batch)]))
            using (var imageIndices = trainingIndices.index_select(0, rows))
            using (var images = data.Train.Batch(imageIndices, device))
            using (var bankRows = bank is null || device.type == DeviceType.CPU ? null : rows.to(device))
                step.Run(images, bankRows ?? rows, random, hardness: hardness);
            int timed = i - warmup + 1;
            if (MemorySamples.Contains(timed))
            {
                // Raw, and after a full collection: the managed heap gathers ~40 KB of tensor wrappers a step as
                // garbage that the GC collects lazily; what stays after a collection is what a leak would be.
                rawRss[timed.ToString()] = ResidentMegabytes();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                rss[timed.ToString()] = ResidentMegabytes();
            }
        }
        clock.Stop();
        return new Result(SettingName.Of(encoder), batch, steps, warmup, threads, TrainingDevice.Name(device), SettingName.Of(precision),
            clock.Elapsed.TotalSeconds,
            steps * (double)batch / clock.Elapsed.TotalSeconds, rss, rawRss, ResidentMegabytes());
    }

    static double ResidentMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return Math.Round(self.WorkingSet64 / 1048576.0, 1);
    }
}
