using Study.Training.Randomness;
using TorchSharp.Modules;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Models;

/// <summary>
/// PyTorch's default initialisation of Conv2d and Linear (weights and biases U[−1/√fan_in, 1/√fan_in], the same
/// range as kaiming_uniform with a = √5), but drawn from the trial's own generator: the process-wide generator
/// would make a trial's weights depend on whatever else runs in the process.
/// </summary>
public static class WeightInit
{
    public static void Apply(nn.Module model, TrialRandom random)
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
            Uniform(weight, bound, random);
            if (bias is not null) Uniform(bias, bound, random);
        }
    }

    // nn.init.uniform_ of TorchSharp 0.107 ignores its generator argument (seen here), so draw through TrialRandom, whose rand honours it.
    static void Uniform(Tensor parameter, double bound, TrialRandom random)
    {
        using var draw = random.Uniform(parameter.shape, parameter.device, parameter.dtype);
        using var scaled = draw.mul_(S(2 * bound)).sub_(S(bound));
        parameter.copy_(scaled);
    }
}
