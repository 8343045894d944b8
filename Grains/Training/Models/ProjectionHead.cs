using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Models;

/// <summary>Linear(h, hidden)-ReLU-Linear(hidden, out), or with <see cref="ProjectionHeadKind.MlpBatchNorm"/>
/// Linear-BatchNorm-ReLU-Linear: maps encoder features h to the (unnormalised) projection.</summary>
public sealed class ProjectionHead : Module<Tensor, Tensor>
{
    readonly Linear hidden, output;
    readonly BatchNorm1d? norm;

    public ProjectionHead(int inputSize, int hiddenSize, int outputSize, ProjectionHeadKind kind) : base("projection-head")
    {
        hidden = Linear(inputSize, hiddenSize);
        if (kind == ProjectionHeadKind.MlpBatchNorm) norm = BatchNorm1d(hiddenSize);
        output = Linear(hiddenSize, outputSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        using var a = hidden.forward(h);
        using var normalised = norm is null ? null : norm.forward(a);
        using var r = F.relu(normalised ?? a);
        return output.forward(r);
    }
}
