using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Study.Training.Evaluation;

/// <summary>What each epoch reports besides its loss (SPEC §6), measured on the fixed validation probe; uniformity and
/// tolerance there are of the probe's unaugmented z, so they are named val_ like val_knn_accuracy.</summary>
public sealed record EpochProbe(double PositiveSimilarity, double NearestNegativeSimilarity, double PenaltyEntropy, double ValKnnAccuracy,
    double ValUniformity, double ValTolerance);

/// <summary>The final evaluation of a trial: its metrics and what the trial folder keeps.</summary>
public sealed record FinalEvaluation(
    double LinearAccuracy, double KnnAccuracy, double ValLinearAccuracy, double ValKnnAccuracy,
    double Uniformity, double Tolerance, double Alignment,
    float[] Embeddings, int EmbeddingDimension, long[] Labels, SimilarityHistograms Similarities);

/// <summary>
/// Evaluates a model on a trial's data splits (SPEC §6). Accuracy uses encoder features h (unaugmented,
/// normalised); embedding metrics use the normalised projection z of the evaluated test images. Its random draws
/// (the views for alignment and the epoch probe, the probe's initial weights) come from streams seeded from the
/// trial's seed and the epoch, so evaluating never shifts the training's random stream.
/// </summary>
public sealed class Evaluator(ContrastiveModel model, DataSplits data, ContrastiveAugmentation augmentation,
    LossSettings loss, Device device, long seed)
{
    // Small batches encode faster on CPU (the activations stay in cache): 128 gives ~30% more images/s than 1,024 on
    // one thread. A GPU wants large ones: a batch of 128 would leave it mostly idle, launching kernels.
    int InferenceBatch => device.type == DeviceType.CPU ? 128 : 4096;

    public EpochProbe ProbeEpoch(int epoch)
    {
        using var random = new TrialRandom(seed * 1_000_003 + epoch);
        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var probe = data.EpochProbe;
        var (h1, z1) = Encode(data.Train, probe, random);
        var (_, z2) = Encode(data.Train, probe, random);
        long n = probe.Length;
        var anchors = cat(new[] { z1, z2 }, 0);
        var similarities = anchors.mm(anchors.t());
        var excluded = ContrastiveLoss.BatchExclusions(n, device);
        var positive = (z1 * z2).sum(1);
        var nearest = similarities.masked_fill(excluded, double.NegativeInfinity).topk(SimilarityHistograms.NearestCount, dim: 1).values;
        var entropy = ContrastiveLoss.PenaltyEntropy(similarities, excluded, 2 * n - 2, loss);

        var (queries, probeZ) = Encode(data.Train, probe, null);
        var (bank, _) = Encode(data.Train, data.EpochProbeBank, null);
        double knn = KnnClassifier.Accuracy(bank, data.Train.LabelsOf(data.EpochProbeBank, device), data.Train.Classes,
            queries, data.Train.LabelsOf(probe, device));
        var probeLabels = probe.Select(i => data.Train.Labels[i]).ToArray();
        return new EpochProbe(positive.mean().item<float>(), nearest.mean().item<float>(), entropy.mean().item<float>(), knn,
            EmbeddingMetrics.Uniformity(probeZ), EmbeddingMetrics.Tolerance(probeZ, probeLabels));
    }

    /// <param name="interrupt">checked between the evaluation's stages: when it fires, the evaluation stops
    /// (OperationCanceledException) so that the trial can move</param>
    public FinalEvaluation Evaluate(CancellationToken interrupt = default)
    {
        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var train = data.Train;
        var test = data.Test;
        var (bank, _) = Encode(train, data.Training, null);
        interrupt.ThrowIfCancellationRequested();
        var bankLabels = train.LabelsOf(data.Training, device);
        var (validation, _) = Encode(train, data.Validation, null);
        var validationLabels = train.LabelsOf(data.Validation, device);
        var (testFeatures, testZ) = Encode(test, data.Evaluated, null);
        var testLabels = test.LabelsOf(data.Evaluated, device);

        interrupt.ThrowIfCancellationRequested();
        double valKnn = KnnClassifier.Accuracy(bank, bankLabels, train.Classes, validation, validationLabels);
        double knn = KnnClassifier.Accuracy(bank, bankLabels, train.Classes, testFeatures, testLabels);
        interrupt.ThrowIfCancellationRequested();
        double valLinear, linear;
        using (var probeRandom = new TrialRandom(seed * 7_919 + 1))
        using (enable_grad())
        using (var probe = LinearProbe.Fit(bank, bankLabels, train.Classes, probeRandom))
        {
            valLinear = probe.Accuracy(validation, validationLabels);
            linear = probe.Accuracy(testFeatures, testLabels);
        }

        var labels = data.Evaluated.Select(i => test.Labels[i]).ToArray();
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
