// A bare TorchSharp loop of the cnn-small training step of docs/TRAINING.md, written without any of the product's code:
// the yardstick `study bench` is compared with (docs/PERFORMANCE.md). Same model, augmentation, loss, optimiser,
// batch and threads as the product's TrainingStep.
//
//   bare-loop [--steps 40] [--warmup 5] [--batch-size 256] [--threads N] [--device cpu|cuda|cuda:N] [--data-dir DIR] [--json]
//   bare-loop --compare --study "dotnet Client/bin/Release/net10.0/study.dll" [--pairs 5] [same options]
//       alternates runs of `study bench --json` and of this loop (never both at once) and prints the medians.
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var options = Options.Parse(args);
if (options.Compare) return Compare.Run(options);
Console.WriteLine(JsonSerializer.Serialize(BareLoop.Run(options)));
return 0;

sealed record Options(int Steps, int Warmup, int Batch, int Threads, string Device, string DataDir, bool Compare, int Pairs, string Study)
{
    public static Options Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            int i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new Options(int.Parse(Get("steps", "40")), int.Parse(Get("warmup", "5")), int.Parse(Get("batch-size", "256")),
            int.Parse(Get("threads", Environment.ProcessorCount.ToString())), Get("device", "cpu"),
            Get("data-dir", "/usr/share/datasets/fashion-mnist"),
            args.Contains("--compare"), int.Parse(Get("pairs", "5")), Get("study", ""));
    }

    public string CommonArguments => $"--steps {Steps} --warmup {Warmup} --batch-size {Batch} --threads {Threads} --device {Device}";
}

static class BareLoop
{
    public static Dictionary<string, object> Run(Options o)
    {
        torch.set_num_threads(o.Threads);
        var device = new Device(o.Device);
        // The images live on the device; random numbers are drawn on the CPU (TorchSharp's generators are CPU ones) and moved.
        using var cpuImages = ReadImages(o.DataDir);
        using var images = cpuImages.to(device);
        long n = images.shape[0];
        var g = new Generator(1);
        var model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64)).to(device);
        var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        model.train();
        var clock = new Stopwatch();
        Tensor? order = null;
        int perEpoch = (int)(n / o.Batch);
        for (int i = 0; i < o.Warmup + o.Steps; i++)
        {
            if (i == o.Warmup) clock.Start();
            if (i % perEpoch == 0) { order?.Dispose(); using var cpuOrder = randperm(n, generator: g); order = cpuOrder.to(device); }
            using var scope = NewDisposeScope();
            var x = images.index_select(0, order!.narrow(0, (long)(i % perEpoch) * o.Batch, o.Batch)).to_type(ScalarType.Float32).div_(255f);
            var v1 = Augment(x, g, device);
            var v2 = Augment(x, g, device);
            var z = F.normalize(model.forward(cat(new[] { v1, v2 }, 0)), dim: 1);
            long b2 = z.shape[0];
            var logits = z.mm(z.t()).masked_fill(eye(b2, dtype: ScalarType.Bool, device: device), double.NegativeInfinity) / 0.2;
            var targets = arange(b2, dtype: ScalarType.Int64, device: device).add_(b2 / 2).remainder_(b2);
            var loss = F.cross_entropy(logits, targets);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            loss.item<float>();
        }
        clock.Stop();
        return new Dictionary<string, object>
        {
            ["images_per_second"] = o.Steps * (double)o.Batch / clock.Elapsed.TotalSeconds,
            ["steps"] = o.Steps, ["batch_size"] = o.Batch, ["threads"] = o.Threads, ["device"] = o.Device,
        };
    }

    // Random resized crop (area U[0.5,1], log-uniform ratio in [3/4,4/3]) with a flip, by one affine resampling;
    // brightness and contrast U[0.6,1.4]; clamp.
    static Tensor Augment(Tensor x, Generator g, Device device)
    {
        long b = x.shape[0];
        var u = rand(new long[] { b, 7 }, generator: g).to(device);
        var area = u[.., 0] * 0.5f + 0.5f;
        float lo = MathF.Log(3f / 4f), hi = MathF.Log(4f / 3f);
        var ratio = (u[.., 1] * (hi - lo) + lo).exp();
        var w = (area * ratio).sqrt().clamp_max(1);
        var h = (area / ratio).sqrt().clamp_max(1);
        var cx = (u[.., 2] * 2 - 1) * (1 - w);
        var cy = (u[.., 3] * 2 - 1) * (1 - h);
        var flip = where(u[.., 4] < 0.5f, -1f, 1f);
        var zero = zeros_like(w);
        var theta = stack(new[] { w * flip, zero, cx, zero, h, cy }, 1).view(b, 2, 3);
        var grid = F.affine_grid(theta, x.shape, align_corners: false);
        var v = F.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        v = v * (u[.., 5].view(b, 1, 1, 1) * 0.8f + 0.6f);
        var mean = v.mean(new long[] { 1, 2, 3 }, keepdim: true);
        v = (v - mean) * (u[.., 6].view(b, 1, 1, 1) * 0.8f + 0.6f) + mean;
        return v.clamp(0, 1);
    }

    /// <summary>Fashion-MNIST's training images, from train-images-idx3-ubyte, gzipped or not.</summary>
    static Tensor ReadImages(string dir)
    {
        var raw = Path.Combine(dir, "train-images-idx3-ubyte");
        using var file = File.OpenRead(File.Exists(raw) ? raw : raw + ".gz");
        using Stream source = File.Exists(raw) ? file : new GZipStream(file, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        var bytes = buffer.ToArray();
        int count = (bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7];
        return tensor(bytes[16..], new long[] { count, 1, 28, 28 }, dtype: ScalarType.Byte);
    }
}

static class Compare
{
    public static int Run(Options o)
    {
        var self = Environment.ProcessPath!;
        var selfArgs = Path.GetFileName(self) == "dotnet" ? typeof(Compare).Assembly.Location + " " : "";
        var product = new List<double>();
        var bare = new List<double>();
        for (int pair = 0; pair < o.Pairs; pair++)
        {
            product.Add(ImagesPerSecond(o.Study, $"bench --json {o.CommonArguments}"));
            bare.Add(ImagesPerSecond(self, $"{selfArgs}--json {o.CommonArguments} --data-dir {o.DataDir}"));
            Console.Error.WriteLine($"pair {pair + 1}/{o.Pairs}: study bench {product[^1]:0} images/s, bare loop {bare[^1]:0} images/s");
        }
        double pm = Median(product), bm = Median(bare);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["pairs"] = o.Pairs, ["steps"] = o.Steps, ["warmup"] = o.Warmup, ["batch_size"] = o.Batch, ["threads"] = o.Threads,
            ["study_bench_images_per_second"] = product, ["bare_loop_images_per_second"] = bare,
            ["study_bench_median"] = pm, ["bare_loop_median"] = bm, ["ratio"] = pm / bm,
        }));
        return 0;
    }

    static double ImagesPerSecond(string command, string arguments)
    {
        var parts = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var info = new ProcessStartInfo(parts[0], string.Join(' ', parts.Skip(1)) + " " + arguments) { RedirectStandardOutput = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command} {arguments} exited with {process.ExitCode}");
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var json = JsonDocument.Parse(last);
        return json.RootElement.GetProperty("images_per_second").GetDouble();
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
