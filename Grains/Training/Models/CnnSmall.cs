using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Models;

/// <summary>
/// SPEC §6 cnn-small: Conv(c→32,3,pad 1)-ReLU-MaxPool2, Conv(32→64,3,pad 1)-ReLU-MaxPool2,
/// Conv(64→128,3,pad 1)-ReLU-global average pool → h (128-d).
/// </summary>
public sealed class CnnSmall : Module<Tensor, Tensor>
{
    public const int FeatureSize = 128;
    readonly Conv2d conv1, conv2, conv3;

    public CnnSmall(int inChannels) : base("cnn-small")
    {
        conv1 = Conv2d(inChannels, 32, 3, padding: 1);
        conv2 = Conv2d(32, 64, 3, padding: 1);
        conv3 = Conv2d(64, FeatureSize, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = conv1.forward(x);
        using var a1 = F.relu(a);
        using var p1 = F.max_pool2d(a1, 2);
        using var b = conv2.forward(p1);
        using var b1 = F.relu(b);
        using var p2 = F.max_pool2d(b1, 2);
        using var c = conv3.forward(p2);
        using var c1 = F.relu(c);
        using var pooled = F.adaptive_avg_pool2d(c1, 1);
        return pooled.flatten(1);
    }
}
