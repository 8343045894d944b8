using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Models;

/// <summary>Linear(h, hidden)-ReLU-Linear(hidden, out): maps encoder features h to the (unnormalised) projection.</summary>
public sealed class ProjectionHead : Module<Tensor, Tensor>
{
    readonly Linear hidden, output;

    public ProjectionHead(int inputSize, int hiddenSize, int outputSize) : base("projection-head")
    {
        hidden = Linear(inputSize, hiddenSize);
        output = Linear(hiddenSize, outputSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        using var a = hidden.forward(h);
        using var r = F.relu(a);
        return output.forward(r);
    }
}
