using Study.Training.Evaluation;
using Study.Tests.Infrastructure;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

[Trait(Tier.Key, Tier.Fast)]
public class LbfgsTests
{
    [Fact]
    public void MinimisesAnIllConditionedQuadratic()
    {
        // f(x) = ½ Σ a_i (x_i − c_i)², a spanning three orders of magnitude: the minimum is c.
        var a = tensor(new[] { 1.0f, 10f, 100f, 1000f, 0.5f });
        var c = tensor(new[] { 1.0f, -2f, 3f, 0.5f, -1f });
        var x = zeros(5);
        int iterations = Lbfgs.Minimize(p => (0.5 * (a * (p - c).pow(2)).sum().item<float>(), a * (p - c)), x, 200);
        Assert.True(iterations < 100, $"{iterations} iterations");
        Assert.True((x - c).abs().max().item<float>() < 1e-3, string.Join(", ", x.data<float>().ToArray()));
    }

    [Fact]
    public void MinimisesRosenbrock()
    {
        var x = tensor(new[] { -1.2, 1.0 });
        (double, Tensor) Rosenbrock(Tensor p)
        {
            double u = p[0].item<double>(), v = p[1].item<double>();
            double f = Math.Pow(1 - u, 2) + 100 * Math.Pow(v - u * u, 2);
            return (f, tensor(new[] { -2 * (1 - u) - 400 * u * (v - u * u), 200 * (v - u * u) }));
        }
        Lbfgs.Minimize(Rosenbrock, x, 500, gradientTolerance: 1e-8, changeTolerance: 0);
        Assert.Equal(1.0, x[0].item<double>(), 3);
        Assert.Equal(1.0, x[1].item<double>(), 3);
    }
}
