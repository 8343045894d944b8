using System.Diagnostics;
using Study.Client.Cli;
using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Output;
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
        new("encoder", "cnn-small or resnet18", ValueName: "NAME", Default: "cnn-small"),
        new("batch-size", "images per step", ValueName: "N", Default: "256"),
        new("steps", "timed steps", ValueName: "N", Default: "40"),
        new("warmup", "untimed steps first", ValueName: "N", Default: "5"),
        new("threads", "torch threads (default: all cores)", ValueName: "N"),
        new("device", "auto, cpu, cuda or cuda:N", ValueName: "NAME", Default: "auto"),
        new("dataset", "the images stepped through", ValueName: "NAME", Default: "fashion-mnist"),
        new("data-dir", "folder of the dataset's files", ValueName: "DIR"),
        new("tau", "temperature of the loss", Default: "0.2"),
        new("loss", "loss of the step", ValueName: "NAME", Default: "infonce"),
        new("negatives", "batch or memory-bank", ValueName: "NAME", Default: "batch"),
        OptionSpec.Flag("runtime", "benchmark the study runtime instead (SPEC §7; see study bench --runtime --help)"),
        OptionSpec.Flag("json", "print one JSON object"),
    ];

    public sealed record Result(
        string Encoder, int BatchSize, int Steps, int Warmup, int Threads, string Device, double Seconds, double ImagesPerSecond,
        IReadOnlyDictionary<string, double> RssMbAtStep, IReadOnlyDictionary<string, double> RssMbRawAtStep, double RssMbEnd);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancel)
    {
        if (args.Contains("--runtime")) return RuntimeBenchmark.Run(args).GetAwaiter().GetResult();
        var a = ParsedArguments.Parse("bench", args, Specs);
        var encoder = a.Choice("encoder", ContrastiveModel.EncoderNames, "cnn-small");
        int batch = a.Int("batch-size", min: 2) ?? 256;
        int steps = a.Int("steps", min: 1) ?? 40;
        int warmup = a.Int("warmup", min: 0) ?? 5;
        int threads = TrainingOptionReader.Threads(a);
        var deviceName = a.String("device", "auto");
        try { DeviceChoice.Parse(deviceName); } catch (ArgumentException e) { throw new UsageException(e.Message); }
        TrainingOptionReader.CheckDeviceHere(deviceName);
        var tau = TrainingOptionReader.ParseTau("tau", a.String("tau", "0.2"));
        var loss = new LossSettings(LossSettings.ParseKind(a.Choice("loss", LossSettings.LossNames, "infonce")), tau, 0.0819,
            LossSettings.ParseNegatives(a.Choice("negatives", LossSettings.NegativeNames, "batch")));
        var options = new TrainingOptions { Dataset = a.Choice("dataset", DatasetCatalog.Names, "fashion-mnist"), DataDir = a.Value("data-dir") };
        TrainingRuntime.Initialize(threads);
        using var data = TrainCommand.LoadData(options);
        var result = Measure(data, encoder, loss, batch, steps, warmup, threads, TrainingDevice.Resolve(deviceName), cancel);
        if (a.Flag("json")) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else
        {
            Console.WriteLine($"{result.ImagesPerSecond:0} images/s ({encoder}, batch {batch}, {steps} steps after {warmup} warm-up, " +
                $"{result.Device}, {threads} threads)");
            foreach (var (step, mb) in result.RssMbAtStep) Console.WriteLine($"resident memory at step {step}: {mb:0} MB after a full GC ({result.RssMbRawAtStep[step]:0} MB before)");
        }
        return cancel.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Completed;
    }

    public static Result Measure(DataSplits data, string encoder, LossSettings loss, int batch, int steps, int warmup, int threads,
        Device device, CancellationToken cancel)
    {
        using var random = new TrialRandom(1);
        using var model = ContrastiveModel.Create(encoder, data.Train.Channels, random, device);
        using var optimizer = TrainingStep.CreateOptimizer(model, new TrainingOptions());
        long n = data.Training.Length;
        batch = (int)Math.Min(batch, n);
        using var bank = loss.Negatives == NegativeSource.MemoryBank ? MemoryBank.Random(n, model.ProjectionSize, random, device) : null;
        var step = new TrainingStep(model, optimizer, new ContrastiveAugmentation(data.Train.Channels == 3), loss, bank);
        using var trainingIndices = tensor(data.Training);
        model.train();

        var rss = new Dictionary<string, double>();
        var rawRss = new Dictionary<string, double>();
        long[]? order = null;
        int stepsPerEpoch = (int)(n / batch);
        var clock = new Stopwatch();
        for (int i = 0; i < warmup + steps && !cancel.IsCancellationRequested; i++)
        {
            if (i == warmup) clock.Start();
            int position = i % stepsPerEpoch;
            if (position == 0) order = random.Permutation(n);
            using (var rows = tensor(order![(position * batch)..((position + 1) * batch)]))
            using (var imageIndices = trainingIndices.index_select(0, rows))
            using (var images = data.Train.Batch(imageIndices, device))
            using (var bankRows = bank is null || device.type == DeviceType.CPU ? null : rows.to(device))
                step.Run(images, bankRows ?? rows, random);
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
        return new Result(encoder, batch, steps, warmup, threads, TrainingDevice.Name(device), clock.Elapsed.TotalSeconds,
            steps * (double)batch / clock.Elapsed.TotalSeconds, rss, rawRss, ResidentMegabytes());
    }

    static double ResidentMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return Math.Round(self.WorkingSet64 / 1048576.0, 1);
    }
}
