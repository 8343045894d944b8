using System.CommandLine;
using Study.Client.Cli;
using Study.Grains.Hosting;
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
    static readonly Option<int> SlotsPerGpu = TypedOptions.Int("--slots-per-gpu", "as ./silo's: trials at once per GPU", 1, min: 1, helpName: "K");

    public static StudyCommand Declaration { get; } = new StudyCommand("devices", "devices [options]",
        "Shows what this machine trains on: where libtorch was loaded from (STUDY_LIBTORCH_DIR on a GPU pack), the CUDA devices, " +
        "and the slots a silo started here would have.",
        ["./study devices", "pack/study devices --slots-per-gpu 4 --json"], [SlotsPerGpu, CommonOptions.Json])
        .WithAction((parse, _) => Run(parse));

    public sealed record Result(string Libtorch, bool CudaAvailable, int Gpus, IReadOnlyList<string> Devices,
        IReadOnlyList<string> SiloSlots, int Threads, IReadOnlyList<GpuMemoryFigure> GpuMemory);

    /// <summary>A CUDA device's memory as the NVIDIA driver counts it (every process's); the study.gpu.memory.* gauges' source.</summary>
    public sealed record GpuMemoryFigure(string Device, ulong UsedBytes, ulong TotalBytes);

    static int Run(ParseResult parse)
    {
        int gpus = TrainingDevice.CudaDevices();
        var layout = SlotLayout.For(gpus, null, parse.GetValue(SlotsPerGpu));
        var memory = Enumerable.Range(0, gpus).Select(i => (Index: i, Reading: Grains.Telemetry.GpuMemory.Read(i)))
            .Where(m => m.Reading is not null).Select(m => new GpuMemoryFigure($"cuda:{m.Index}", m.Reading!.Value.Used, m.Reading.Value.Total)).ToList();
        var result = new Result(NativeLibTorch.Source, gpus > 0, gpus,
            ["cpu", .. Enumerable.Range(0, gpus).Select(i => $"cuda:{i}")], layout.Devices, TorchSharp.torch.get_num_threads(), memory);
        if (parse.GetValue(CommonOptions.Json)) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else
        {
            Console.WriteLine($"libtorch: {(result.Libtorch == "bundled" ? "bundled with the app (TorchSharp-cpu)" : result.Libtorch)}");
            Console.WriteLine(gpus > 0 ? $"CUDA: {gpus} device(s): {string.Join(", ", result.Devices.Skip(1))}" : "CUDA: none (training runs on the CPU)");
            foreach (var m in memory) Console.WriteLine($"{m.Device} memory: {Numbers.Fixed(m.UsedBytes / 1048576.0, 0)} of {Numbers.Fixed(m.TotalBytes / 1048576.0, 0)} MiB in use");
            Console.WriteLine($"a silo here: {layout.Slots} slot(s) on {string.Join(", ", layout.Devices)}");
            Console.WriteLine($"torch threads: {result.Threads}");
        }
        return ExitCodes.Completed;
    }
}
