using TorchSharp.Modules;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Models;

/// <summary>
/// ResNet-18, CIFAR variant as in the paper: a 3×3 stride-1 stem without max-pooling, four stages of two basic
/// blocks (64, 128, 256, 512 channels), global average pool → h (512-d).
/// </summary>
public sealed class ResNet18 : Module<Tensor, Tensor>
{
    public const int FeatureSize = 512;
    readonly Conv2d stem;
    readonly BatchNorm2d stemNorm;
    readonly ModuleList<BasicBlock> blocks;

    public ResNet18(int inChannels) : base("resnet18")
    {
        stem = Conv2d(inChannels, 64, 3, stride: 1, padding: 1, bias: false);
        stemNorm = BatchNorm2d(64);
        var list = new List<BasicBlock>();
        int channels = 64;
        foreach (var (width, stride) in new[] { (64, 1), (128, 2), (256, 2), (512, 2) })
        {
            list.Add(new BasicBlock(channels, width, stride));
            list.Add(new BasicBlock(width, width, 1));
            channels = width;
        }
        blocks = ModuleList(list.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = F.relu(stemNorm.forward(stem.forward(x)));
        foreach (var block in blocks) y = block.forward(y);
        return F.adaptive_avg_pool2d(y, 1).flatten(1).MoveToOuterDisposeScope();
    }
}

/// <summary>Two 3×3 convolutions with batch norm and a (projected when the shape changes) shortcut.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;
    readonly BatchNorm2d norm1, norm2;
    readonly Sequential? shortcut;

    public BasicBlock(int inChannels, int outChannels, int stride) : base("basic-block")
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        norm1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        norm2 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
            shortcut = Sequential(Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), BatchNorm2d(outChannels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = F.relu(norm1.forward(conv1.forward(x)));
        y = norm2.forward(conv2.forward(y));
        var skip = shortcut is null ? x : shortcut.forward(x);
        return F.relu(y.add(skip, One)).MoveToOuterDisposeScope();
    }
}
