using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Study.Training.Models;

/// <summary>
/// PyTorch's default initialisation of Conv2d and Linear (weights and biases U[−1/√fan_in, 1/√fan_in], the same
/// range as kaiming_uniform with a = √5), but drawn from the trial's own generator: the process-wide generator
/// would make a trial's weights depend on whatever else runs in the process.
/// </summary>
public static class WeightInit
{
    public static void Apply(nn.Module model, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var module in model.modules())
        {
            var (weight, bias) = module switch
            {
                Conv2d c => (c.weight, c.bias),
                Linear l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            long fanIn = weight.numel() / weight.shape[0];
            double bound = 1.0 / Math.Sqrt(fanIn);
            nn.init.uniform_(weight, -bound, bound, generator);
            if (bias is not null) nn.init.uniform_(bias, -bound, bound, generator);
        }
    }
}
