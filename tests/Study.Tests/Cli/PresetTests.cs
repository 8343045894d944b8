using System.Text.Json;
using Study.Client.Cli;
using Study.Client.Commands;
using Study.Grains;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>
/// The study presets (studies/presets/*.json, `--config` files): every one reads as a study; the GPU presets hold the
/// paper's CIFAR setup and each runs one epoch here, on the CPU, on small files in CIFAR's binary format.
/// </summary>
public sealed class PresetTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-presets-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static string PresetFolder => Path.Combine(StudyProcess.RepositoryRoot, "studies", "presets");

    static StudySpec Read(string preset) =>
        StudyOptionReader.Read(StudyCommandLine.Parse(["run", "--config", preset]), "preset-check");

    [Fact]
    public void EveryPresetReadsAsAStudyAndSaysWhatItIsFor()
    {
        var presets = Directory.GetFiles(PresetFolder, "*.json");
        Assert.True(presets.Length >= 17, $"{presets.Length} presets in {PresetFolder}");
        foreach (var preset in presets)
        {
            var spec = Read(preset);
            Assert.True(spec.TotalTrials >= 1, preset);
            using var json = JsonDocument.Parse(File.ReadAllText(preset));
            Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty(StudyConfigFile.CommentKey).GetString()), preset);
        }
        var cosine = Read(Path.Combine(PresetFolder, "fmnist-cosine-batch.json"));
        Assert.Equal(TauScheduleKind.Cosine, cosine.TauSchedule);
        Assert.Equal(new TauSetting(0.1, 1), cosine.Grid[2]);
        Assert.Equal(30, cosine.TotalTrials);
        var longGrid = Read(Path.Combine(PresetFolder, "fmnist-infonce-long.json"));
        Assert.Equal((30, 30), (longGrid.TotalTrials, longGrid.Epochs));
        // Issue 22: a headline claim rests on 5 seeds; the memory-bank studies and their batch twins run seeds 1-5 of one split.
        foreach (var bank in new[] { "fmnist-infonce-bank", "fmnist-hard-bank", "fmnist-simple-bank", "fmnist-hard-simple-bank",
                     "fmnist-infonce-batch-bn", "fmnist-hard-batch-bn", "fmnist-hard-bank-long" })
        {
            var spec = Read(Path.Combine(PresetFolder, bank + ".json"));
            Assert.True((spec.Seeds, spec.Seed, spec.SplitSeed ?? spec.Seed) == (5, 1, 1), $"{bank}: seeds {spec.Seeds} from {spec.Seed}");
        }
    }

    static readonly string[] GpuPresetFiles =
        [.. from dataset in new[] { "cifar10", "cifar100" } from loss in new[] { "infonce", "hard", "simple", "hard-simple" }
            select $"gpu-{dataset}-{loss}.json"];

    public static TheoryData<string> GpuPresets => new(GpuPresetFiles);

    [Theory]
    [MemberData(nameof(GpuPresets))]
    public void AGpuPresetIsThePapersCifarSetup(string preset)
    {
        var spec = Read(Path.Combine(PresetFolder, preset));
        Assert.Equal((EncoderKind.ResNet18, NegativeSource.MemoryBank, OptimizerKind.Sgd, ScheduleKind.Step),
            (spec.Encoder, spec.Negatives, spec.Optimizer, spec.Schedule));
        Assert.Equal((0.03, 0.9, 5e-4, 128, 200), (spec.Lr, spec.Momentum, spec.WeightDecay, spec.BatchSize, spec.Epochs));
        Assert.Equal(preset.Contains("cifar100") ? "cifar100" : "cifar10", spec.Dataset);
        if (spec.UsesTau) Assert.Equal([0.07, 0.3, 0.7, 1.0], spec.Taus);
        // Issue 20: the InstDisc bank with a head it can learn with, and the paper's 4,095 hardest bank negatives.
        Assert.Equal(ProjectionHeadKind.MlpBatchNorm, spec.ProjectionHead);
        Assert.Equal(spec.Loss.KeepsHardest() ? 4095 : null, spec.HardCount);
        Assert.True(spec.CollapseCheck);
    }

    [Fact]
    public async Task EachGpuPresetRunsOneEpoch()
    {
        var data = new Dictionary<string, string> { ["cifar10"] = WriteCifar10(), ["cifar100"] = WriteCifar100() };
        var presets = GpuPresetFiles;
        // Four at a time, one thread each: the eight smoke runs share the machine's cores. One step of 32 images (the
        // preset's batch of 128 is a quarter of the ResNet's time here) is enough to run every part of the setup.
        var results = new Dictionary<string, StudyProcess.Result>();
        foreach (var batch in presets.Chunk(4))
        {
            var runs = batch.Select(preset => Task.Run(() =>
            {
                string dataset = preset.Contains("cifar100") ? "cifar100" : "cifar10";
                var spec = Read(Path.Combine(PresetFolder, preset));
                string[] oneTau = spec.UsesTau ? ["--taus", "0.3"] : [];
                var name = Path.GetFileNameWithoutExtension(preset);
                return (preset, StudyProcess.Run(TimeSpan.FromMinutes(8), dir,
                [
                    "run", "--config", Path.Combine(PresetFolder, preset), "--data-dir", data[dataset], .. oneTau,
                    "--epochs", "1", "--subset", "32", "--batch-size", "32", "--eval-subset", "50", "--device", "cpu", "--threads", "1",
                    "--store", Path.Combine(dir, name + ".db"), "--out", Path.Combine(dir, name), "--json",
                ]));
            })).ToArray();
            foreach (var (preset, result) in await Task.WhenAll(runs)) results[preset] = result;
        }
        foreach (var (preset, result) in results)
        {
            Assert.True(result.ExitCode == 0, $"{preset}: exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
            using var json = JsonDocument.Parse(result.Stdout);
            var root = json.RootElement;
            Assert.Equal("completed", root.GetProperty("status").GetString());
            var spec = root.GetProperty("spec");
            Assert.Equal(("resnet18", "mlp-bn", "memory-bank", "sgd", "step", 32), (spec.GetProperty("encoder").GetString(),
                spec.GetProperty("projection_head").GetString(), spec.GetProperty("negatives").GetString(), spec.GetProperty("optimizer").GetString(),
                spec.GetProperty("schedule").GetString(), spec.GetProperty("batch_size").GetInt32()));
            var trial = Assert.Single(root.GetProperty("trials").EnumerateArray());
            Assert.Equal(("completed", 1), (trial.GetProperty("status").GetString(), trial.GetProperty("epochs_completed").GetInt32()));
            foreach (var metric in new[] { "linear_accuracy", "knn_accuracy", "uniformity", "tolerance", "alignment", "loss" })
                Assert.True(double.IsFinite(trial.GetProperty("metrics").GetProperty(metric).GetDouble()), $"{preset}: {metric}");
            // The epoch's positive similarity is each image's z against its own bank entry: random at first, so near 0.
            var epoch = JsonDocument.Parse(File.ReadAllLines(Path.Combine(dir, Path.GetFileNameWithoutExtension(preset), "trials",
                trial.GetProperty("trial_id").GetString()!, "metrics.jsonl")).Single()).RootElement;
            Assert.InRange(epoch.GetProperty("positive_similarity").GetDouble(), -0.5, 0.5);
        }
    }

    /// <summary>CIFAR-10's binary files: five training batches and a test batch of (label, 3 × 1024 pixels) records.</summary>
    string WriteCifar10()
    {
        var folder = Directory.CreateDirectory(Path.Combine(dir, "cifar10")).FullName;
        var random = new Random(1);
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(Path.Combine(folder, $"data_batch_{i}.bin"), Records(random, 40, 10, labelBytes: 1));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Records(random, 50, 10, labelBytes: 1));
        return folder;
    }

    /// <summary>CIFAR-100's: (coarse label, fine label, pixels) records in train.bin and test.bin.</summary>
    string WriteCifar100()
    {
        var folder = Directory.CreateDirectory(Path.Combine(dir, "cifar100")).FullName;
        var random = new Random(2);
        File.WriteAllBytes(Path.Combine(folder, "train.bin"), Records(random, 200, 100, labelBytes: 2));
        // 25 of the classes in the test file: the evaluated images hold pairs of a label, which tolerance needs.
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), Records(random, 50, 25, labelBytes: 2));
        return folder;
    }

    static byte[] Records(Random random, int count, int classes, int labelBytes)
    {
        int record = labelBytes + 3 * 32 * 32;
        var bytes = new byte[count * record];
        random.NextBytes(bytes);
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;
            if (labelBytes == 2) bytes[i * record] = (byte)(label / 5);
            bytes[i * record + labelBytes - 1] = (byte)label;
        }
        return bytes;
    }
}
