namespace Study.Grains.Scheduling;

/// <summary>
/// Which device each of a silo's slots trains on (docs/CLI.md, the silo). With G GPUs and K slots per GPU a silo has G × K slots
/// by default and slot i trains on <c>cuda:(i mod G)</c>, so consecutive slots spread over the GPUs and none is left
/// idle while another takes every trial; without a GPU it has one slot by default and every slot is a CPU slot.
/// </summary>
public sealed record SlotLayout(int Gpus, int Slots)
{
    /// <param name="gpus">CUDA devices on this machine</param>
    /// <param name="slots">an explicit slot count (<c>--slots</c>), or null for the default</param>
    /// <param name="slotsPerGpu"><c>--slots-per-gpu</c> K</param>
    public static SlotLayout For(int gpus, int? slots, int slotsPerGpu = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gpus);
        if (slotsPerGpu < 1) throw new ArgumentException($"--slots-per-gpu must be at least 1, got {slotsPerGpu}");
        if (slots is < 0) throw new ArgumentException($"--slots must be at least 0, got {slots}");
        return new SlotLayout(gpus, slots ?? (gpus > 0 ? gpus * slotsPerGpu : 1));
    }

    /// <summary>"cpu", or "cuda:N" for slot <paramref name="slot"/>.</summary>
    public string DeviceOf(int slot) => Gpus > 0 ? $"cuda:{slot % Gpus}" : "cpu";

    public IReadOnlyList<string> Devices => [.. Enumerable.Range(0, Slots).Select(DeviceOf)];
}
