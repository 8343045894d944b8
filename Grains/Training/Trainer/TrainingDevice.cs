using TorchSharp;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>Where a trial trains: the study's <c>--device</c> choice, resolved against the slot's device and this machine.</summary>
public static class TrainingDevice
{
    /// <summary>The torch device for a device name ("auto", "cpu", "cuda", "cuda:N").</summary>
    /// <exception cref="ArgumentException">CUDA asked for where there is none, in one line naming the option</exception>
    public static Device Resolve(string name)
    {
        var choice = DeviceChoice.Parse(name);
        CheckAvailable(choice);
        return choice.Kind switch
        {
            DeviceKind.Cpu => CPU,
            DeviceKind.Auto => CudaDevices() > 0 ? new Device(DeviceType.CUDA, 0) : CPU,
            _ => new Device(DeviceType.CUDA, choice.Index ?? 0),
        };
    }

    /// <summary>Throws when <paramref name="choice"/> names a CUDA device this machine does not have.</summary>
    public static void CheckAvailable(DeviceChoice choice)
    {
        if (!choice.WantsCuda) return;
        int gpus = CudaDevices();
        if (gpus == 0)
            throw new ArgumentException($"--device {choice}: no CUDA device here (the loaded libtorch has no CUDA, or the machine " +
                "has no GPU); use --device cpu or auto, or see the README's GPU section");
        if (choice.Index is { } i && i >= gpus)
            throw new ArgumentException($"--device {choice}: this machine has {gpus} CUDA device(s), cuda:0 to cuda:{gpus - 1}");
    }

    /// <summary>
    /// The device a trial of a study that asked for <paramref name="requested"/> trains on in a slot whose device is
    /// <paramref name="slotDevice"/>: <c>auto</c> and <c>cuda</c> take the slot's GPU (so slots never all land on
    /// cuda:0); <c>cpu</c> and <c>cuda:N</c> are taken as they are.
    /// </summary>
    public static string ForSlot(string requested, string slotDevice)
    {
        var choice = DeviceChoice.Parse(requested);
        bool slotIsGpu = slotDevice.StartsWith("cuda", StringComparison.Ordinal);
        return choice switch
        {
            { Kind: DeviceKind.Auto } => slotDevice,
            { Kind: DeviceKind.Cuda, Index: null } => slotIsGpu ? slotDevice : "cuda",
            _ => choice.ToString(),
        };
    }

    /// <summary>"cpu" or "cuda:N", as a trial entry's <c>device</c> names it.</summary>
    public static string Name(Device device) => device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, (int)device.index)}" : "cpu";

    /// <summary>CUDA devices visible to the loaded libtorch (0 with the CPU build).</summary>
    public static int CudaDevices() => cuda.is_available() ? cuda.device_count() : 0;
}
