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
    public static readonly IReadOnlyList<string> EncoderNames = ["cnn-small", "resnet18"];

    readonly Module<Tensor, Tensor> encoder;
    readonly ProjectionHead head;

    ContrastiveModel(string encoderName, Module<Tensor, Tensor> encoder, int featureSize, int projectionSize)
        : base("contrastive-model")
    {
        EncoderName = encoderName;
        this.encoder = encoder;
        FeatureSize = featureSize;
        ProjectionSize = projectionSize;
        head = new ProjectionHead(featureSize, featureSize, projectionSize);
        RegisterComponents();
    }

    public string EncoderName { get; }
    public int FeatureSize { get; }
    public int ProjectionSize { get; }

    /// <summary>Builds the model with weights drawn from <paramref name="random"/> (PyTorch's default ranges).</summary>
    public static ContrastiveModel Create(string encoderName, int inChannels, TrialRandom random, Device device)
    {
        ContrastiveModel model = encoderName switch
        {
            "cnn-small" => new("cnn-small", new CnnSmall(inChannels), CnnSmall.FeatureSize, 64),
            "resnet18" => new("resnet18", new ResNet18(inChannels), ResNet18.FeatureSize, 128),
            _ => throw new ArgumentException($"unknown encoder '{encoderName}'"),
        };
        WeightInit.Apply(model, random);
        model.to(device);
        return model;
    }

    /// <summary>Encoder features h (not normalised).</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x);

    /// <summary>Normalised projection z of features h.</summary>
    public Tensor Project(Tensor h)
    {
        using var raw = head.forward(h);
        return F.normalize(raw, dim: 1);
    }

    public override Tensor forward(Tensor x)
    {
        using var h = encoder.forward(x);
        return Project(h);
    }
}
