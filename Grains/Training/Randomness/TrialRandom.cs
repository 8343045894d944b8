using TorchSharp;
using static TorchSharp.torch;

namespace Study.Training.Randomness;

/// <summary>
/// The one owner of random draws in the training core: weights, the memory bank, shuffles, augmentations,
/// evaluation views and the probe's start all come from here. Every draw is made by one CPU
/// <see cref="Generator"/> and then moved to the device it is used on, for two reasons:
/// <list type="bullet">
/// <item>a CUDA draw with a CPU generator is refused by libtorch, and TorchSharp 0.107 turns that refusal into a
/// segmentation fault of the whole process instead of an exception;</item>
/// <item>a generator per device would give a trial other numbers on another device. Drawn on the CPU, a trial's
/// random stream depends only on its seed, and its whole state is one CPU tensor in the checkpoint.</item>
/// </list>
/// Nothing else in the training core may pass a generator to torch (a test scans the sources for it).
/// </summary>
public sealed class TrialRandom : IDisposable
{
    readonly Generator generator;

    public TrialRandom(long seed) => generator = new Generator(unchecked((ulong)seed));

    /// <summary>U[0, 1) of <paramref name="shape"/>, on <paramref name="device"/>.</summary>
    public Tensor Uniform(long[] shape, Device device, ScalarType dtype = ScalarType.Float32) =>
        OnDevice(rand(shape, dtype: dtype, generator: generator), device);

    /// <summary>N(0, 1) of <paramref name="shape"/>, on <paramref name="device"/>.</summary>
    public Tensor Normal(long[] shape, Device device, ScalarType dtype = ScalarType.Float32) =>
        OnDevice(randn(shape, dtype: dtype, generator: generator), device);

    /// <summary>Integers uniform in [0, <paramref name="high"/>) of <paramref name="shape"/>, on <paramref name="device"/>.</summary>
    public Tensor Integers(long high, long[] shape, Device device) =>
        OnDevice(randint(high, shape, dtype: ScalarType.Int64, generator: generator), device);

    /// <summary>A random order of 0 … n − 1.</summary>
    public long[] Permutation(long n)
    {
        using var p = randperm(n, generator: generator);
        return p.data<long>().ToArray();
    }

    /// <summary>The generator's state (a CPU byte tensor, the caller's to dispose), for checkpoints.</summary>
    public Tensor State() => generator.get_state();

    public void Restore(Tensor state) => generator.set_state(state);

    static Tensor OnDevice(Tensor cpuDraw, Device device)
    {
        if (device.type == DeviceType.CPU) return cpuDraw;
        using (cpuDraw) return cpuDraw.to(device);
    }

    public void Dispose() => generator.Dispose();
}
