using Study.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Trainer;

/// <summary>
/// bf16 training with fp32 master weights. TorchSharp 0.107 has no autocast, so mixed precision is done by hand: a
/// bf16 twin of the model computes the forward and backward passes; before each step it takes the fp32 weights,
/// after it its gradients go back to them in fp32, and the optimiser steps on the fp32 weights, which are also what
/// is evaluated and checkpointed. The loss, its normalisation and the memory bank stay in fp32 (a bf16 cosine of
/// unit vectors is off by up to 0.4%, which 1/τ = 14 turns into 6% of a logit). On a GPU the twin's inputs are
/// laid out channels-last, which lets cuDNN use its NHWC bf16 kernels.
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    readonly ContrastiveModel master, compute;
    readonly (Tensor Master, Tensor Compute)[] parameters, buffers;
    readonly bool channelsLast;
    bool buffersCopied;

    public MixedPrecision(ContrastiveModel master, Device device)
    {
        this.master = master;
        compute = master.Twin(device, ScalarType.BFloat16);
        parameters = [.. master.parameters().Zip(compute.parameters(), (m, c) => ((Tensor)m, (Tensor)c))];
        buffers = [.. master.buffers().Zip(compute.buffers()).Where(b => b.First.is_floating_point())];
        channelsLast = device.type == DeviceType.CUDA;
    }

    /// <summary>The normalised projection z (fp32) of a float batch, computed in bf16 with the current fp32 weights.</summary>
    public Tensor Forward(Tensor images)
    {
        using (no_grad())
        {
            foreach (var (m, c) in parameters) c.copy_(m);
            // Batch-norm statistics live on in the twin (it updates them); it starts from the master's (a checkpoint's).
            if (!buffersCopied) foreach (var (m, c) in buffers) c.copy_(m);
            buffersCopied = true;
        }
        compute.train(master.training);
        using var low = images.to(ScalarType.BFloat16);
        using var laidOut = channelsLast ? low.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : low.alias();
        using var raw = compute.ProjectUnnormalised(laidOut);
        using var wide = raw.to(ScalarType.Float32);
        return F.normalize(wide, dim: 1);
    }

    public void ZeroGradients() => compute.zero_grad();

    /// <summary>After backward: the twin's gradients become the master's (fp32), its batch-norm statistics too.</summary>
    public void ToMaster()
    {
        using var noGrad = no_grad();
        foreach (var (m, c) in parameters)
        {
            using var gradient = c.grad;
            if (gradient is null) continue;
            using var wide = gradient.to(ScalarType.Float32);
            m.grad = wide;
        }
        foreach (var (m, c) in buffers) m.copy_(c);
    }

    public void Dispose() => compute.Dispose();
}
