using TorchSharp;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Evaluation;

/// <summary>
/// Limited-memory BFGS (two-loop recursion) with a backtracking Armijo line search, on one flat parameter tensor.
/// Written here because TorchSharp's LBFGS has no line search (a unit step can diverge) and warns on every use.
/// </summary>
public static class Lbfgs
{
    /// <summary>A one-element tensor's value, read from its data: TorchSharp's <c>ToDouble()</c> reads it through a
    /// Scalar that nothing keeps, which a garbage collection can free during the read (docs/ARCHITECTURE.md, "Scalars").</summary>
    static double Value(this Tensor t) => t.dtype == ScalarType.Float64 ? t.item<double>() : t.item<float>();

    /// <param name="objective">the loss at x and its gradient (a new tensor)</param>
    /// <returns>iterations used</returns>
    public static int Minimize(Func<Tensor, (double Loss, Tensor Gradient)> objective, Tensor x, int maxIterations,
        int history = 10, double gradientTolerance = 1e-5, double changeTolerance = 1e-10)
    {
        using var noGrad = no_grad();
        var s = new List<Tensor>();
        var y = new List<Tensor>();
        var (loss, gradient) = objective(x);
        int iteration = 0;
        try
        {
            for (; iteration < maxIterations; iteration++)
            {
                if (gradient.abs().max().Value() < gradientTolerance) break;
                using var direction = Direction(gradient, s, y);
                double slope = direction.dot(gradient).Value();
                if (slope >= 0) { direction.copy_(-gradient); slope = -gradient.dot(gradient).Value(); s.Clear(); y.Clear(); }
                double step = iteration == 0 ? Math.Min(1, 1 / Math.Max(1e-12, gradient.abs().sum().Value())) : 1;
                Tensor? newGradient = null;
                double newLoss = double.NaN;
                using var start = x.clone();
                for (int trial = 0; trial < 30; trial++)
                {
                    x.copy_(start).add_(direction, alpha: S(step));
                    newGradient?.Dispose();
                    (newLoss, newGradient) = objective(x);
                    if (double.IsFinite(newLoss) && newLoss <= loss + 1e-4 * step * slope) break;
                    step *= 0.5;
                }
                if (!double.IsFinite(newLoss) || newLoss > loss)
                {
                    x.copy_(start); // no progress along any step: stay at the best point
                    newGradient!.Dispose();
                    break;
                }
                s.Add(x - start);
                y.Add(newGradient! - gradient);
                if (s.Count > history) { s[0].Dispose(); y[0].Dispose(); s.RemoveAt(0); y.RemoveAt(0); }
                gradient.Dispose();
                gradient = newGradient!;
                bool converged = Math.Abs(loss - newLoss) < changeTolerance * Math.Max(1, Math.Abs(loss));
                loss = newLoss;
                if (converged) { iteration++; break; }
            }
            return iteration;
        }
        finally
        {
            gradient.Dispose();
            foreach (var t in s.Concat(y)) t.Dispose();
        }
    }

    static Tensor Direction(Tensor gradient, List<Tensor> s, List<Tensor> y)
    {
        var q = gradient.neg();
        var alphas = new double[s.Count];
        var rhos = new double[s.Count];
        for (int i = s.Count - 1; i >= 0; i--)
        {
            rhos[i] = 1 / y[i].dot(s[i]).Value();
            alphas[i] = rhos[i] * s[i].dot(q).Value();
            q.add_(y[i], alpha: S(-alphas[i]));
        }
        if (s.Count > 0) q.mul_(S(s[^1].dot(y[^1]).Value() / y[^1].dot(y[^1]).Value()));
        for (int i = 0; i < s.Count; i++)
        {
            double beta = rhos[i] * y[i].dot(q).Value();
            q.add_(s[i], alpha: S(alphas[i] - beta));
        }
        return q;
    }
}
