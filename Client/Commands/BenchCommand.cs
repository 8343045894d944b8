using System.Diagnostics;
using Study.Client.Cli;
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

namespace Study.Client.Commands;

/// <summary>
/// <c>study bench</c> (SPEC §7): times the product's own training step (<see cref="TrainingStep"/>: augment both
/// views, forward, loss, backward, optimiser step) on Fashion-MNIST and prints images/s; resident memory is
/// sampled at steps 100 and 1,000 to show it stays flat.
/// </summary>
public static class BenchCommand
{
    static readonly int[] MemorySamples = [100, 200, 500, 1000, 2000, 5000];

    public static readonly OptionSpec[] Specs =
    [
        new("encoder", string.Join(" or ", SettingNames<EncoderKind>.All), ValueName: "NAME", Default: SettingName.Of(Defaults.Encoder)),
        new("batch-size", "images per step", ValueName: "N", Default: $"{Defaults.BatchSize}"),
        new("steps", "timed steps", ValueName: "N", Default: "40"),
        new("warmup", "untimed steps first", ValueName: "N", Default: "5"),
        new("threads", "torch threads (default: all cores)", ValueName: "N"),
        new("device", "auto, cpu, cuda or cuda:N", ValueName: "NAME", Default: Defaults.Device),
        new("precision", string.Join(" or ", SettingNames<Precision>.All), ValueName: "NAME", Default: SettingName.Of(Defaults.Precision)),
        new("slots", "training loops at once on the device, as a silo's slots run them; prints their total", ValueName: "K", Default: "1"),
        new("slot-isolation", "with --slots: thread (threads of this process) or process (a process each)", ValueName: "MODE", Default: "thread"),
        OptionSpec.Flag("barrier", "wait for a line on stdin after the warm-up (what --slots K --slot-isolation process starts)"),
        new("dataset", "the images stepped through", ValueName: "NAME", Default: Defaults.Dataset),
        new("data-dir", "folder of the dataset's files", ValueName: "DIR"),
        new("tau", "temperature of the loss", Default: "0.2"),
        new("loss", "loss of the step", ValueName: "NAME", Default: SettingName.Of(Defaults.Loss)),
        new("negatives", string.Join(" or ", SettingNames<NegativeSource>.All), ValueName: "NAME", Default: SettingName.Of(Defaults.Negatives)),
        new("projection-head", string.Join(" or ", SettingNames<ProjectionHeadKind>.All), ValueName: "NAME", Default: SettingName.Of(Defaults.ProjectionHead)),
        new("hard-count", "the hard losses keep exactly K negatives (default: the fraction α)", ValueName: "K"),
        OptionSpec.Flag("runtime", "benchmark the study runtime instead (SPEC §7; see study bench --runtime --help)"),
        OptionSpec.Flag("json", "print one JSON object"),
    ];

    /// <summary>What one loop of the step is timed with.</summary>
    public sealed record Settings(EncoderKind Encoder, ProjectionHeadKind Head, LossSettings Loss, int Batch, int Steps, int Warmup, int Threads, Device Device,
        Precision Precision);

    public sealed record Result(
        string Encoder, int BatchSize, int Steps, int Warmup, int Threads, string Device, string Precision, double Seconds, double ImagesPerSecond,
        IReadOnlyDictionary<string, double> RssMbAtStep, IReadOnlyDictionary<string, double> RssMbRawAtStep, double RssMbEnd);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancel)
    {
        if (args.Contains("--runtime")) return RuntimeBenchmark.Run(args).GetAwaiter().GetResult();
        var a = ParsedArguments.Parse("bench", args, Specs);
        var encoder = a.Setting("encoder", Defaults.Encoder);
        int batch = a.Int("batch-size", min: 2) ?? Defaults.BatchSize;
        int steps = a.Int("steps", min: 1) ?? 40;
        int warmup = a.Int("warmup", min: 0) ?? 5;
        int threads = TrainingOptionReader.Threads(a);
        var deviceName = a.String("device", Defaults.Device);
        TrainingOptionReader.CheckDeviceHere(deviceName);
        var tau = TrainingOptionReader.ParseTau("tau", a.String("tau", "0.2"));
        var loss = new LossSettings(a.Setting("loss", Defaults.Loss), tau, Defaults.HardFraction, a.Setting("negatives", Defaults.Negatives),
            a.Int("hard-count", min: 1));
        var options = new TrainingOptions { Dataset = a.Choice("dataset", DatasetCatalog.Names, Defaults.Dataset), DataDir = a.Value("data-dir") };
        int slots = a.Int("slots", min: 1) ?? 1;
        SlotIsolation isolation;
        try { isolation = RuntimeOptions.ParseIsolation(a.Value("slot-isolation")) ?? SlotIsolation.Thread; }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (slots > 1 && isolation == SlotIsolation.Process) return SlotsBenchmark.InProcesses(slots, args, a.Flag("json"), cancel);
        TrainingRuntime.Initialize(threads);
        using var data = TrainCommand.LoadData(options);
        var settings = new Settings(encoder, a.Setting("projection-head", Defaults.ProjectionHead), loss, batch, steps, warmup, threads, TrainingDevice.Resolve(deviceName),
            a.Setting("precision", Defaults.Precision));
        if (slots > 1)
            return SlotsBenchmark.InThreads(slots, afterWarmup => Measure(data, settings, cancel, afterWarmup), a.Flag("json"), cancel);
        Action? waitForGo = a.Flag("barrier") ? () => { Console.WriteLine(SlotsBenchmark.Ready); Console.In.ReadLine(); } : null;
        var result = Measure(data, settings, cancel, waitForGo);
        if (a.Flag("json")) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else
        {
            Console.WriteLine($"{result.ImagesPerSecond:0} images/s ({result.Encoder}, batch {batch}, {steps} steps after {warmup} warm-up, " +
                $"{result.Device}, {result.Precision}, {threads} threads)");
            foreach (var (step, mb) in result.RssMbAtStep) Console.WriteLine($"resident memory at step {step}: {mb:0} MB after a full GC ({result.RssMbRawAtStep[step]:0} MB before)");
        }
        return cancel.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Completed;
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
