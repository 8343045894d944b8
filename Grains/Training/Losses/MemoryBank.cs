using Study.Training.Randomness;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Losses;

/// <summary>
/// InstDisc's memory bank (docs/LOSSES.md): one normalised vector per training image, initialised with random unit vectors
/// from the trial's generator, and after each optimiser step v_i ← normalise(0.5·v_i + 0.5·z_i) for the step's images,
/// z_i detached. It is each image's positive and every other image's negative.
/// </summary>
public sealed class MemoryBank : IDisposable
{
    public MemoryBank(Tensor vectors) => Vectors = vectors;

    /// <summary>[N, D], no gradient.</summary>
    public Tensor Vectors { get; private set; }

    public static MemoryBank Random(long size, long dimension, TrialRandom random, Device device)
    {
        using var raw = random.Normal(new[] { size, dimension }, device);
        return new MemoryBank(F.normalize(raw, dim: 1));
    }

    /// <param name="rows">each image's row in the bank [B]</param>
    /// <param name="z">the images' projections [B, D] (the step's one view)</param>
    public void Update(Tensor rows, Tensor z)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var mixed = Vectors.index_select(0, rows).mul_(S(0.5)).add_(z.detach(), S(0.5));
        Vectors.index_copy_(0, rows, F.normalize(mixed, dim: 1));
    }

    public void Replace(Tensor vectors)
    {
        Vectors.Dispose();
        Vectors = vectors;
    }

    public void Dispose() => Vectors.Dispose();
}
