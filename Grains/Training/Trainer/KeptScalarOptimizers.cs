using TorchSharp.Modules;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>
/// TorchSharp 0.107's Adam, step for step, with every number passed as a <see cref="Native.KeptScalars"/> Scalar: its
/// own step passes them as implicit Scalars that a garbage collection can free mid-call. Its state, options and
/// checkpoint format are Adam's; amsgrad and maximize, which no trial uses, are refused.
/// </summary>
public sealed class KeptScalarAdam : Adam
{
    public KeptScalarAdam(IEnumerable<Parameter> parameters, double lr, double weightDecay)
        : base(parameters, lr, weight_decay: weightDecay) { }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        if (options.amsgrad == true || options.maximize == true) throw new NotSupportedException("amsgrad and maximize");
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, eps = options.eps!.Value;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null) continue;
            state.step++;
            double correction1 = 1 - Math.Pow(beta1, state.step);
            double correction2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) grad = grad.add(parameter, S(weightDecay));
            state.exp_avg.mul_(S(beta1)).add_(grad, S(1 - beta1));
            state.exp_avg_sq.mul_(S(beta2)).addcmul_(grad, grad.conj(), S(1 - beta2));
            var denominator = state.exp_avg_sq.sqrt().div(S(Math.Sqrt(correction2))).add_(S(eps), One);
            parameter.addcdiv_(state.exp_avg, denominator, S(0.0 - lr / correction1));
        }
    }, closure);
}

/// <summary>TorchSharp 0.107's SGD with momentum, step for step, with kept Scalars (see <see cref="KeptScalarAdam"/>).</summary>
public sealed class KeptScalarSgd : SGD
{
    public KeptScalarSgd(IEnumerable<Parameter> parameters, double lr, double momentum, double weightDecay)
        : base(parameters, lr, momentum: momentum, weight_decay: weightDecay) { }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        if (options.nesterov == true || options.maximize == true) throw new NotSupportedException("nesterov and maximize");
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value;
        double weightDecay = options.weight_decay!.Value, lr = options.LearningRate!.Value;
        foreach (var parameter in group.Parameters)
        {
            var state = (State)_state[parameter.Handle];
            var grad = parameter.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(parameter, S(weightDecay));
            if (momentum != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null) buffer = state.momentum_buffer = grad.clone().detach().DetachFromDisposeScope();
                else buffer.mul_(S(momentum)).add_(grad, S(1 - dampening));
                grad = buffer;
            }
            parameter.add_(grad, S(0.0 - lr));
        }
    }, closure);
}
