using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Evaluation;

/// <summary>
/// Linear evaluation (SPEC §6): multinomial logistic regression on standardised features, fitted full-batch with
/// L-BFGS to convergence (a few hundred iterations at most) with a small L2 penalty that keeps it well posed.
/// </summary>
public sealed class LinearProbe : IDisposable
{
    public const int MaxIterations = 300;
    const double L2 = 1e-4;
    readonly Tensor mean, scale, weight, bias;

    LinearProbe(Tensor mean, Tensor scale, Tensor weight, Tensor bias)
    {
        this.mean = mean; this.scale = scale; this.weight = weight; this.bias = bias;
    }

    public int Iterations { get; private set; }

    public static LinearProbe Fit(Tensor features, Tensor labels, int classes, Generator generator)
    {
        Tensor mean, scale, x;
        using (no_grad())
        {
            mean = features.mean(new long[] { 0 }, keepdim: true);
            scale = features.std(0, keepdim: true).clamp_min(1e-6);
            x = (features - mean) / scale;
        }
        using var _ = x;
        long d = features.shape[1];
        Parameter weight, bias;
        using (var initial = randn(new[] { d, (long)classes }, generator: generator))
            weight = new Parameter(initial.mul(0.01).to(features.device));
        bias = new Parameter(zeros(classes, device: features.device));
        var probe = new LinearProbe(mean, scale, weight, bias);
        using var optimizer = optim.LBFGS(new[] { weight, bias }, lr: 1, max_iter: MaxIterations,
            tolerange_grad: 1e-6, tolerance_change: 1e-10, history_size: 20);
        int evaluations = 0;
        Tensor Closure()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.cross_entropy(x.mm(weight) + bias, labels) + L2 * weight.pow(2).sum();
            loss.backward();
            evaluations++;
            return loss.MoveToOuterDisposeScope();
        }
        using (var final = optimizer.step(Closure)) { }
        probe.Iterations = evaluations;
        return probe;
    }

    public double Accuracy(Tensor features, Tensor labels)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var predicted = ((features - mean) / scale).mm(weight).add(bias).argmax(1);
        return predicted.eq(labels).to_type(ScalarType.Float64).mean().item<double>();
    }

    public void Dispose()
    {
        mean.Dispose(); scale.Dispose(); weight.Dispose(); bias.Dispose();
    }
}
