using Mono.Cecil;
using Mono.Cecil.Cil;
using Study.Tests.Infrastructure;
using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Evaluation;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Native;
using Study.Training.Randomness;
using Study.Training.Trainer;
using TorchSharp;
using Xunit;
using static Study.Training.Native.KeptScalars;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>
/// No Scalar that a libtorch call reads is left to the finalizer (<see cref="KeptScalars"/>): one that is can be freed
/// by a garbage collection while the call still reads it.
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public class ScalarLifetimeTests
{
    /// <summary>The training assembly calls neither an implicit number-to-Scalar conversion nor a TorchSharp method
    /// that makes one, directly or through other TorchSharp methods (the operators with numbers, <c>add(Tensor)</c>
    /// with its alpha of 1, <c>arange(stop)</c>, Adam's and SGD's steps).</summary>
    [Fact]
    public void TheTrainingCodeLeavesNoScalarToTheFinalizer()
    {
        var torchModule = ModuleDefinition.ReadModule(typeof(Scalar).Assembly.Location);
        var making = MethodsMakingImplicitScalars(torchModule);
        Assert.Contains("TorchSharp.torch/Tensor TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor)", making); // the scan sees them
        Assert.Contains("System.Double TorchSharp.TensorExtensionMethods::ToDouble(TorchSharp.torch/Tensor)", making);

        var training = ModuleDefinition.ReadModule(typeof(KeptScalars).Assembly.Location);
        var offending = training.GetTypes().SelectMany(t => t.Methods)
            .SelectMany(m => Calls(m).Where(c => IsImplicitScalar(c) || making.Contains(c.FullName))
                .Select(c => $"{m.DeclaringType.FullName}.{m.Name} calls {c.FullName}"))
            .Distinct().ToList();
        Assert.True(offending.Count == 0, string.Join('\n', offending));

        // Virtual calls name the base method, so the optimisers are checked by what CreateOptimizer makes.
        using var random = new TrialRandom(1);
        using var model = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, random, CPU);
        foreach (var kind in Enum.GetValues<OptimizerKind>())
        {
            using var optimizer = TrainingStep.CreateOptimizer(model, new TrainingOptions { Optimizer = kind });
            var step = optimizer.GetType().GetMethod("step")!;
            Assert.Equal(typeof(KeptScalars).Assembly, step.DeclaringType!.Assembly);
        }
    }

    /// <summary>Training steps and an evaluation while another thread collects garbage and runs finalizers without
    /// pause: before KeptScalars, steps failed with libtorch's "Expected false to be true" within seconds.</summary>
    [Theory]
    [InlineData(NegativeSource.Batch, LossKind.InfoNce, OptimizerKind.Adam)]
    [InlineData(NegativeSource.MemoryBank, LossKind.Hard, OptimizerKind.Sgd)]
    public void StepsAndEvaluationSurviveCollectionsDuringNativeCalls(NegativeSource negatives, LossKind loss, OptimizerKind optimizerKind)
    {
        var (train, test) = DatasetCatalog.Load("synthetic", null, 1);
        using var data = new DataSplits(train, test, 1, subset: 512, evalSubset: 200);
        using var random = new TrialRandom(1);
        using var model = ContrastiveModel.Create(EncoderKind.CnnSmall, ProjectionHeadKind.Mlp, 1, random, CPU);
        using var optimizer = TrainingStep.CreateOptimizer(model, new TrainingOptions { Optimizer = optimizerKind, Momentum = 0.9, WeightDecay = 1e-4 });
        using var bank = negatives == NegativeSource.MemoryBank ? MemoryBank.Random(512, 64, random, CPU) : null;
        var augmentation = new ContrastiveAugmentation(false);
        var step = new TrainingStep(model, optimizer, augmentation, new LossSettings(loss, 0.2, 0.1, negatives), bank);
        using var rows = arange(S(0L), S(64L), S(1L), dtype: ScalarType.Int64);
        using var images = data.Train.Batch(rows, CPU);

        using var stop = new CancellationTokenSource();
        // Gen-0 collections: an implicit Scalar is as young as the call reading it, and a full collection of the test
        // host's heap would only cost time.
        var collector = new Thread(() => { while (!stop.IsCancellationRequested) { GC.Collect(0); GC.WaitForPendingFinalizers(); } });
        // With OMP_WAIT_POLICY=PASSIVE (./test's two lanes) a second torch thread, woken for every op beside the
        // collector on 2 cores, made these tests 4 times slower: one thread then (the race is the calling thread's).
        // By default keep two: a spinning second thread slows the collector, and one thread on a quiet machine gave
        // it a core to itself and took 5 times as long. Both ways failed on the code before KeptScalars.
        int threads = torch.get_num_threads();
        if (string.Equals(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), "PASSIVE", StringComparison.OrdinalIgnoreCase))
            torch.set_num_threads(1);
        collector.Start();
        try
        {
            for (int i = 0; i < 60; i++) Assert.True(float.IsFinite(step.Run(images, rows, random)));
            using var evaluator = new Evaluator(model, data, augmentation, CPU, seed: 1);
            Assert.InRange(evaluator.ProbeEpoch().ValUniformity, 0, 4.1);
            Assert.InRange(evaluator.Evaluate().Uniformity, 0, 4.1);
        }
        finally
        {
            stop.Cancel();
            collector.Join();
            torch.set_num_threads(threads);
        }
    }

    /// <summary>A number turned into a Scalar implicitly, or a tensor's value read through a Scalar that nothing keeps
    /// (<c>Tensor.ToScalar()</c>, which <c>ToDouble()</c> and its kind call: the Scalar can be freed while libtorch's
    /// toDouble reads it, which crashed the test host once, 2026-12-08).</summary>
    static bool IsImplicitScalar(MethodReference m) =>
        (m.Name == "op_Implicit" && m.ReturnType.FullName == "TorchSharp.Scalar") || m.FullName == "TorchSharp.Scalar TorchSharp.torch/Tensor::ToScalar()";

    static IEnumerable<MethodReference> Calls(MethodDefinition m) => m.HasBody
        ? m.Body.Instructions.Where(i => i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt || i.OpCode == OpCodes.Newobj)
            .Select(i => (MethodReference)i.Operand)
        : [];

    /// <summary>TorchSharp's methods that make an implicit Scalar, or call one that does (a fixed point).</summary>
    static HashSet<string> MethodsMakingImplicitScalars(ModuleDefinition torchModule)
    {
        var methods = torchModule.GetTypes().SelectMany(t => t.Methods).ToList();
        var making = methods.Where(m => Calls(m).Any(IsImplicitScalar)).Select(m => m.FullName).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var m in methods)
                if (!making.Contains(m.FullName) && Calls(m).Any(c => making.Contains(c.FullName))) grew = making.Add(m.FullName);
        }
        return making;
    }
}
