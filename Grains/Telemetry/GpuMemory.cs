using System.Runtime.InteropServices;

namespace Study.Grains.Telemetry;

/// <summary>
/// Memory in use on a CUDA device, as the NVIDIA driver's NVML reports it (what nvidia-smi shows: every process's,
/// not only this silo's). TorchSharp has no call for its caching allocator's figures. Where the driver's library is
/// absent (no NVIDIA GPU) <see cref="Read"/> gives nothing and never tries again.
/// </summary>
public static class GpuMemory
{
    const string Nvml = "libnvidia-ml.so.1";
    static readonly Lazy<bool> Available = new(Initialise);

    /// <param name="Used">bytes in use</param>
    /// <param name="Total">bytes the device has</param>
    public readonly record struct Reading(ulong Used, ulong Total);

    /// <summary>The memory of CUDA device <paramref name="index"/>, or null where NVML is missing or does not know it.
    /// NVML counts devices in PCI order, as CUDA does with CUDA_DEVICE_ORDER=PCI_BUS_ID, and ignores
    /// CUDA_VISIBLE_DEVICES: on a machine whose silos see a subset of its GPUs the index is remapped through it.</summary>
    public static Reading? Read(int index)
    {
        if (!Available.Value) return null;
        var physical = PhysicalIndex(index, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"));
        if (physical is null || nvmlDeviceGetHandleByIndex_v2((uint)physical, out var device) != 0) return null;
        return nvmlDeviceGetMemoryInfo(device, out var memory) == 0 ? new Reading(memory.Used, memory.Total) : null;
    }

    /// <summary>The machine's index of the process's CUDA device <paramref name="index"/>: the list's entry where
    /// CUDA_VISIBLE_DEVICES lists indices, the same where it is unset, none where it names devices by UUID.</summary>
    public static int? PhysicalIndex(int index, string? visibleDevices)
    {
        if (string.IsNullOrWhiteSpace(visibleDevices)) return index;
        var listed = visibleDevices.Split(',', StringSplitOptions.TrimEntries);
        return index < listed.Length && int.TryParse(listed[index], out var physical) ? physical : null;
    }

    static bool Initialise()
    {
        try { return nvmlInit_v2() == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [DllImport(Nvml)] static extern int nvmlInit_v2();
    [DllImport(Nvml)] static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);
    [DllImport(Nvml)] static extern int nvmlDeviceGetMemoryInfo(IntPtr device, out NvmlMemory memory);
}
