using Study.Training.Randomness;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Models;

/// <summary>An encoder (x → h) and a projection head (h → z, L2-normalised). forward(x) returns z.</summary>
public sealed class ContrastiveModel : Module<Tensor, Tensor>
{

    readonly Module<Tensor, Tensor> encoder;
    readonly ProjectionHead head;

    ContrastiveModel(EncoderKind encoderKind, ProjectionHeadKind headKind, int inChannels, Module<Tensor, Tensor> encoder, int featureSize,
        int projectionSize) : base("contrastive-model")
    {
        Encoder = encoderKind;
        Head = headKind;
        InChannels = inChannels;
        this.encoder = encoder;
        FeatureSize = featureSize;
        ProjectionSize = projectionSize;
        head = new ProjectionHead(featureSize, featureSize, projectionSize, headKind);
        RegisterComponents();
    }

    public EncoderKind Encoder { get; }
    public ProjectionHeadKind Head { get; }
    public int InChannels { get; }
    public int FeatureSize { get; }
    public int ProjectionSize { get; }

    /// <summary>Builds the model with weights drawn from <paramref name="random"/> (PyTorch's default ranges).</summary>
    public static ContrastiveModel Create(EncoderKind encoder, ProjectionHeadKind head, int inChannels, TrialRandom random, Device device)
    {
        var model = Build(encoder, head, inChannels);
        WeightInit.Apply(model, random);
        model.to(device);
        return model;
    }

    /// <summary>The same architecture on <paramref name="device"/> in <paramref name="dtype"/>, its weights not set (the
    /// caller copies them in): the compute copy of mixed precision. Draws nothing from the trial's random stream.</summary>
    public ContrastiveModel Twin(Device device, ScalarType dtype)
    {
        var twin = Build(Encoder, Head, InChannels);
        twin.to(device);
        twin.to(dtype);
        // Batch norm keeps fp32 statistics and affine weights (libtorch takes a bf16 input with them, as autocast does):
        // statistics of a batch summed in bf16 lose too much.
        foreach (var norm in twin.modules().Where(m => m is TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm1d)) norm.to(ScalarType.Float32);
        return twin;
    }

    static ContrastiveModel Build(EncoderKind encoder, ProjectionHeadKind head, int inChannels) => encoder switch
    {
        EncoderKind.CnnSmall => new(encoder, head, inChannels, new CnnSmall(inChannels), CnnSmall.FeatureSize, 64),
        EncoderKind.ResNet18 => new(encoder, head, inChannels, new ResNet18(inChannels), ResNet18.FeatureSize, 128),
        _ => throw new ArgumentException($"unknown encoder '{encoder}'"),
    };

    /// <summary>Encoder features h (not normalised).</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Normalised projection z of features h.</summary>
    public Tensor Project(Tensor h)
    {
        using var raw = head.forward(h);
        return F.normalize(raw, dim: 1);
    }

    /// <summary>The projection of x before it is normalised.</summary>
    public Tensor ProjectUnnormalised(Tensor x)
    {
        using var h = encoder.forward(x);
        return head.forward(h);
    }

    public override Tensor forward(Tensor x)
    {
        using var h = encoder.forward(x);
        return Project(h);
    }
}
