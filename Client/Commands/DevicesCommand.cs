using Study.Client.Cli;
using Study.Grains.Scheduling;
using Study.Training.Native;
using Study.Grains.Storage;
using Study.Training.Trainer;

namespace Study.Client.Commands;

/// <summary>
/// <c>study devices</c>: what this machine can train on — where libtorch was loaded from, the CUDA devices it sees,
/// and the slots a silo started here would have. The first thing to run on a GPU node (and the GPU image's build check).
/// </summary>
public static class DevicesCommand
{
    public static readonly OptionSpec[] Specs =
    [
        new("slots-per-gpu", "as ./silo's: trials at once per GPU", ValueName: "K", Default: "1"),
        OptionSpec.Flag("json", "print one JSON object"),
    ];

    public sealed record Result(string Libtorch, bool CudaAvailable, int Gpus, IReadOnlyList<string> Devices,
        IReadOnlyList<string> SiloSlots, int Threads, IReadOnlyList<GpuMemoryFigure> GpuMemory);

    /// <summary>A CUDA device's memory as the NVIDIA driver counts it (every process's); the study.gpu.memory.* gauges' source.</summary>
    public sealed record GpuMemoryFigure(string Device, ulong UsedBytes, ulong TotalBytes);

    public static int Run(IReadOnlyList<string> args)
    {
        var a = ParsedArguments.Parse("devices", args, Specs);
        if (a.Positionals.Count > 0) throw new UsageException($"study devices: unexpected argument '{a.Positionals[0]}'");
        int gpus = TrainingDevice.CudaDevices();
        var layout = SlotLayout.For(gpus, null, a.Int("slots-per-gpu", min: 1) ?? 1);
        var memory = Enumerable.Range(0, gpus).Select(i => (Index: i, Reading: Grains.Telemetry.GpuMemory.Read(i)))
            .Where(m => m.Reading is not null).Select(m => new GpuMemoryFigure($"cuda:{m.Index}", m.Reading!.Value.Used, m.Reading.Value.Total)).ToList();
        var result = new Result(NativeLibTorch.Source, gpus > 0, gpus,
            ["cpu", .. Enumerable.Range(0, gpus).Select(i => $"cuda:{i}")], layout.Devices, TorchSharp.torch.get_num_threads(), memory);
        if (a.Flag("json")) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else
        {
            Console.WriteLine($"libtorch: {(result.Libtorch == "bundled" ? "bundled with the app (TorchSharp-cpu)" : result.Libtorch)}");
            Console.WriteLine(gpus > 0 ? $"CUDA: {gpus} device(s): {string.Join(", ", result.Devices.Skip(1))}" : "CUDA: none (training runs on the CPU)");
            foreach (var m in memory) Console.WriteLine($"{m.Device} memory: {m.UsedBytes / 1048576.0:F0} of {m.TotalBytes / 1048576.0:F0} MiB in use");
            Console.WriteLine($"a silo here: {layout.Slots} slot(s) on {string.Join(", ", layout.Devices)}");
            Console.WriteLine($"torch threads: {result.Threads}");
        }
        return ExitCodes.Completed;
    }
}
