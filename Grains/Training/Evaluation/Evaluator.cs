using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using Study.Training.Trainer;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Evaluation;

/// <summary>What each epoch measures of the model on the validation split (docs/METRICS.md): the kNN accuracy of
/// its images against the bank of all training images used, as the final evaluation measures it, and the uniformity
/// and tolerance of their unaugmented z.</summary>
public sealed record EpochProbe(double ValKnnAccuracy, double ValUniformity, double ValTolerance);

/// <summary>The final evaluation of a trial: its metrics and what the trial folder keeps.</summary>
public sealed record FinalEvaluation(
    double LinearAccuracy, double KnnAccuracy, double ValLinearAccuracy, double ValKnnAccuracy,
    double Uniformity, double Tolerance, double Alignment,
    float[] Embeddings, int EmbeddingDimension, long[] Labels, SimilarityHistograms Similarities);

/// <summary>
/// Evaluates a model on a trial's data splits (docs/METRICS.md). Accuracy uses encoder features h (unaugmented,
/// normalised); embedding metrics use the normalised projection z of the evaluated test images. Its random draws
/// (the views for alignment, the linear probe's initial weights) come from streams seeded from the trial's seed, so
/// evaluating never shifts the training's random stream. With <paramref name="profile"/>, each part is timed.
/// </summary>
public sealed class Evaluator(ContrastiveModel model, DataSplits data, ContrastiveAugmentation augmentation,
    Device device, long seed, TrialProfile? profile = null) : IDisposable
{
    // Small batches encode faster on CPU (the activations stay in cache): 128 gives ~30% more images/s than 1,024 on
    // one thread. A GPU wants large ones: a batch of 128 would leave it mostly idle, launching kernels.
    int InferenceBatch => device.type == DeviceType.CPU ? 128 : 4096;

    /// <summary>The bank's and the validation split's features at the last probe, while no step has changed the
    /// model since: the final evaluation right after the last epoch takes them instead of encoding both again.</summary>
    (Tensor Bank, Tensor Validation)? probed;

    public EpochProbe ProbeEpoch()
    {
        ForgetProbe();
        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var train = data.Train;
        Tensor bank, validation, validationZ;
        using (profile.Time(TrialPhase.ProbeEncode))
        {
            (bank, _) = Encode(train, data.Training, null);
            (validation, validationZ) = Encode(train, data.Validation, null);
        }
        using var lap = profile.Time(TrialPhase.ProbeMetrics);
        double knn = KnnClassifier.Accuracy(bank, train.LabelsOf(data.Training, device), train.Classes,
            validation, train.LabelsOf(data.Validation, device));
        var labels = data.Validation.Select(i => train.Labels[i]).ToArray();
        var probe = new EpochProbe(knn, EmbeddingMetrics.Uniformity(validationZ), EmbeddingMetrics.Tolerance(validationZ, labels));
        probed = (bank.DetachFromDisposeScope(), validation.DetachFromDisposeScope());
        return probe;
    }

    /// <summary>Drops the last probe's features: the model is about to change.</summary>
    public void ForgetProbe()
    {
        if (probed is not { } features) return;
        features.Bank.Dispose();
        features.Validation.Dispose();
        probed = null;
    }

    /// <param name="interrupt">checked between the evaluation's stages: when it fires, the evaluation stops
    /// (OperationCanceledException) so that the trial can move</param>
    public FinalEvaluation Evaluate(CancellationToken interrupt = default)
    {
        try { return EvaluateModel(interrupt); }
        finally { ForgetProbe(); }
    }

    public void Dispose() => ForgetProbe();

    FinalEvaluation EvaluateModel(CancellationToken interrupt)
    {
        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var train = data.Train;
        var test = data.Test;
        Tensor bank, validation, testFeatures, testZ;
        using (profile.Time(TrialPhase.FinalEncode))
        {
            (bank, validation) = probed ?? (Encode(train, data.Training, null).H, Encode(train, data.Validation, null).H);
            interrupt.ThrowIfCancellationRequested();
            (testFeatures, testZ) = Encode(test, data.Evaluated, null);
        }
        var bankLabels = train.LabelsOf(data.Training, device);
        var validationLabels = train.LabelsOf(data.Validation, device);
        var testLabels = test.LabelsOf(data.Evaluated, device);

        interrupt.ThrowIfCancellationRequested();
        double valKnn, knn;
        using (profile.Time(TrialPhase.FinalKnn))
        {
            valKnn = KnnClassifier.Accuracy(bank, bankLabels, train.Classes, validation, validationLabels);
            knn = KnnClassifier.Accuracy(bank, bankLabels, train.Classes, testFeatures, testLabels);
        }
        interrupt.ThrowIfCancellationRequested();
        double valLinear, linear;
        using (profile.Time(TrialPhase.LinearProbe))
        using (var probeRandom = new TrialRandom(seed * 7_919 + 1))
        using (enable_grad())
        using (var probe = LinearProbe.Fit(bank, bankLabels, train.Classes, probeRandom))
        {
            valLinear = probe.Accuracy(validation, validationLabels);
            linear = probe.Accuracy(testFeatures, testLabels);
        }

        var labels = data.Evaluated.Select(i => test.Labels[i]).ToArray();
        using var lap = profile.Time(TrialPhase.FinalViews);
        using var viewRandom = new TrialRandom(seed * 1_000_003 + 999_999);
        var (_, view1) = Encode(test, data.Evaluated, viewRandom);
        var (_, view2) = Encode(test, data.Evaluated, viewRandom);
        using var zCpu = testZ.to_type(ScalarType.Float32).cpu();
        return new FinalEvaluation(
            linear, knn, valLinear, valKnn,
            EmbeddingMetrics.Uniformity(testZ), EmbeddingMetrics.Tolerance(testZ, labels), EmbeddingMetrics.Alignment(view1, view2),
            zCpu.data<float>().ToArray(), (int)testZ.shape[1], labels, SimilarityHistograms.Compute(view1, view2));
    }

    /// <summary>Normalised features h and projections z of the images at <paramref name="indices"/>, augmented when <paramref name="random"/> is given.</summary>
    (Tensor H, Tensor Z) Encode(ImageSet set, long[] indices, TrialRandom? random)
    {
        var hs = new List<Tensor>();
        var zs = new List<Tensor>();
        for (int start = 0; start < indices.Length; start += InferenceBatch)
        {
            using var scope = NewDisposeScope();
            var rows = tensor(indices[start..Math.Min(indices.Length, start + InferenceBatch)]);
            var x = set.Batch(rows, device);
            if (random is not null) x = augmentation.Apply(x, random);
            var h = model.Encode(x);
            var z = model.Project(h);
            hs.Add(F.normalize(h, dim: 1).MoveToOuterDisposeScope());
            zs.Add(z.MoveToOuterDisposeScope());
        }
        var result = (cat(hs, 0), cat(zs, 0));
        foreach (var t in hs.Concat(zs)) t.Dispose();
        return result;
    }

    /// <summary>Puts the model in evaluation mode (batch norm uses running statistics) and back in training mode after.</summary>
    sealed class EvalMode : IDisposable
    {
        readonly ContrastiveModel model;
        readonly bool wasTraining;
        public EvalMode(ContrastiveModel model)
        {
            this.model = model;
            wasTraining = model.training;
            model.eval();
        }
        public void Dispose() { if (wasTraining) model.train(); }
    }
}
