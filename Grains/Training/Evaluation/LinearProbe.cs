using Study.Training.Randomness;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Evaluation;

/// <summary>
/// Linear evaluation (docs/METRICS.md): multinomial logistic regression on standardised features, fitted full-batch with
/// L-BFGS (<see cref="Lbfgs"/>) to convergence (a few hundred iterations at most) with a small L2 penalty that keeps it well posed.
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

    public static LinearProbe Fit(Tensor features, Tensor labels, int classes, TrialRandom random)
    {
        Tensor mean, scale, x;
        using (no_grad())
        {
            mean = features.mean(new long[] { 0 }, keepdim: true);
            scale = features.std(0, keepdim: true).clamp_min(S(1e-6));
            x = (features - mean) / scale;
        }
        using var _ = x;
        long d = features.shape[1];
        // One flat vector of weights [d × classes] and biases [classes], optimised together.
        Tensor parameters;
        using (var initial = random.Normal(new[] { d * classes + classes }, features.device))
            parameters = initial.mul(S(0.01));
        (double, Tensor) Objective(Tensor flat)
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var p = flat.detach().requires_grad_();
            var weight = p.narrow(0, 0, d * classes).view(d, classes);
            var bias = p.narrow(0, d * classes, classes);
            var loss = F.cross_entropy(x.mm(weight).add(bias, One), labels).add(weight.pow(S(2)).sum().mul(S(L2)), One);
            loss.backward();
            return (loss.item<float>(), p.grad!.detach().clone().MoveToOuterDisposeScope());
        }
        int iterations = Lbfgs.Minimize(Objective, parameters, MaxIterations);
        var w = parameters.narrow(0, 0, d * classes).view(d, classes).clone();
        var b = parameters.narrow(0, d * classes, classes).clone();
        parameters.Dispose();
        return new LinearProbe(mean, scale, w, b) { Iterations = iterations };
    }

    public double Accuracy(Tensor features, Tensor labels)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var predicted = ((features - mean) / scale).mm(weight).add(bias, One).argmax(1);
        return predicted.eq(labels).to_type(ScalarType.Float64).mean().item<double>();
    }

    public void Dispose()
    {
        mean.Dispose(); scale.Dispose(); weight.Dispose(); bias.Dispose();
    }
}
