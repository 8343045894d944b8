using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Models;

/// <summary>
/// cnn-small (docs/TRAINING.md): Conv(c→32,3,pad 1)-ReLU-MaxPool2, Conv(32→64,3,pad 1)-ReLU-MaxPool2,
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
        using var p1 = MaxPool2(a1);
        using var b = conv2.forward(p1);
        using var b1 = F.relu(b);
        using var p2 = MaxPool2(b1);
        using var c = conv3.forward(p2);
        using var c1 = F.relu(c);
        using var pooled = F.adaptive_avg_pool2d(c1, 1);
        return pooled.flatten(1);
    }

    /// <summary>
    /// 2×2 max pooling. Without autograd (evaluation) the same maxima are taken as two element-wise maximums of
    /// strided halves, about six times faster here than libtorch's CPU max_pool2d; with autograd, max_pool2d, whose
    /// backward is the fast one.
    /// </summary>
    static Tensor MaxPool2(Tensor x)
    {
        if (is_grad_enabled() || x.shape[2] % 2 != 0 || x.shape[3] % 2 != 0) return F.max_pool2d(x, 2);
        var even = TensorIndex.Slice(0, null, 2);
        var odd = TensorIndex.Slice(1, null, 2);
        using var columns = maximum(x[.., .., .., even], x[.., .., .., odd]);
        return maximum(columns[.., .., even], columns[.., .., odd]);
    }
}
