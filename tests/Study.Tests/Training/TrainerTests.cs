using Study.Training.Data;
using Study.Training.Losses;
using Study.Training.Trainer;
using Xunit;

namespace Study.Tests.Training;

/// <summary>The trainer on a small synthetic problem: checkpoints, resume, determinism, failure detection.</summary>
public sealed class TrainerTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-trainer-").FullName;
    readonly DataSplits data;

    public TrainerTests()
    {
        TrainingRuntime.Initialize(2);
        var (train, test) = DatasetCatalog.Load("synthetic", null, 1);
        data = new DataSplits(train, test, 1, subset: 1024, evalSubset: 300);
    }

    public void Dispose()
    {
        data.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    static TrainingOptions Options(double tau = 0.3, long seed = 1, LossKind loss = LossKind.InfoNce,
        NegativeSource negatives = NegativeSource.Batch, Precision precision = Precision.Fp32) => new()
    {
        Dataset = "synthetic", Tau = loss.UsesTau() ? tau : null, Seed = seed, Loss = loss, Negatives = negatives,
        Epochs = 2, BatchSize = 64, Subset = 1024, EvalSubset = 300, Device = "cpu", Precision = precision,
    };

    static void AssertSameOutcome(TrainingOutcome expected, TrainingOutcome actual)
    {
        Assert.Equal(TrialStatus.Completed, expected.Status);
        Assert.Equal(TrialStatus.Completed, actual.Status);
        Assert.Equal(expected.Metrics, actual.Metrics);
        // Every figure of every epoch but its timing.
        Assert.Equal(expected.History.Select(h => h with { Seconds = 0, ImagesPerSecond = 0 }),
            actual.History.Select(h => h with { Seconds = 0, ImagesPerSecond = 0 }));
        Assert.Equal(expected.Evaluation!.Embeddings, actual.Evaluation!.Embeddings);
    }

    [Theory]
    [InlineData(NegativeSource.Batch, Precision.Fp32)]
    [InlineData(NegativeSource.MemoryBank, Precision.Fp32)]
    [InlineData(NegativeSource.Batch, Precision.Bf16)]
    public void TwoEpochsStraightEqualOneEpochCheckpointedAndResumed(NegativeSource negatives, Precision precision)
    {
        // A bank learns with the mlp-bn head; with the plain mlp head it collapses, and the collapse rule stops it after epoch 2.
        var options = Options(negatives: negatives, precision: precision) with
        {
            ProjectionHead = negatives == NegativeSource.MemoryBank ? ProjectionHeadKind.MlpBatchNorm : ProjectionHeadKind.Mlp,
        };
        // bf16 steps are about ten times slower on a CPU without bf16 units: fewer of them (4 an epoch), the same property.
        using var fewer = precision == Precision.Bf16 ? new DataSplits(data.Train, data.Test, 1, subset: 256, evalSubset: 300, ownsImages: false) : null;
        var splits = fewer ?? data;
        var straight = new ContrastiveTrainer(options, splits).Run();

        var checkpoint = Path.Combine(dir, $"{negatives}-{precision}.ckpt");
        var first = new ContrastiveTrainer(options, splits).Run(new TrainingControl
        {
            CheckpointPath = checkpoint,
            OnEpoch = _ => EpochVerdict.Prune, // stop after the first epoch, as a process that dies would
        });
        Assert.Equal(TrialStatus.Pruned, first.Status);
        Assert.Equal(1, first.EpochsCompleted);
        Assert.True(File.Exists(checkpoint));

        var resumed = new ContrastiveTrainer(options, splits).Run(new TrainingControl { CheckpointPath = checkpoint });
        AssertSameOutcome(straight, resumed);
    }

    [Fact]
    public void PausedAtAnEpochResumesFromItsCheckpointToTheSameResult()
    {
        // ASHA's rungs: the trial stops after epoch 1 as interrupted, at that epoch's checkpoint, and goes on later.
        var options = Options();
        var straight = new ContrastiveTrainer(options, data).Run();
        var checkpoint = Path.Combine(dir, "paused.ckpt");
        var paused = new ContrastiveTrainer(options, data).Run(new TrainingControl { CheckpointPath = checkpoint, OnEpoch = _ => EpochVerdict.Pause });
        Assert.Equal((TrialStatus.Interrupted, 1, checkpoint), (paused.Status, paused.EpochsCompleted, paused.Checkpoint));
        var resumed = new ContrastiveTrainer(options, data).Run(new TrainingControl { CheckpointPath = checkpoint });
        AssertSameOutcome(straight, resumed);
    }

    [Fact]
    public void InterruptedMidEpochResumesToTheSameResult()
    {
        var options = Options();
        var straight = new ContrastiveTrainer(options, data).Run();
        var checkpoint = Path.Combine(dir, "mid.ckpt");
        using var interrupt = new CancellationTokenSource();
        var stopped = new ContrastiveTrainer(options, data).Run(new TrainingControl
        {
            CheckpointPath = checkpoint,
            Interrupt = interrupt.Token,
            OnProgress = p => { if (p.Epoch == 2 && p.Step == 10) interrupt.Cancel(); },
        });
        Assert.Equal(TrialStatus.Interrupted, stopped.Status);
        Assert.Equal(1, stopped.EpochsCompleted);
        var resumed = new ContrastiveTrainer(options, data).Run(new TrainingControl { CheckpointPath = checkpoint });
        AssertSameOutcome(straight, resumed);
    }

    /// <summary>Issue 23: an interrupt that comes while an epoch is being reported (a silo fencing itself off while its
    /// report waits on the network) stops the trial at the next epoch's first step. That checkpoint holds an epoch
    /// with no step yet, whose hardness averages are NaN: writing it threw, and the trial failed.</summary>
    [Fact]
    public void InterruptedAtTheFirstStepOfAnEpochResumesToTheSameResult()
    {
        var options = Options();
        var straight = new ContrastiveTrainer(options, data).Run();
        var checkpoint = Path.Combine(dir, "epoch-start.ckpt");
        using var interrupt = new CancellationTokenSource();
        var stopped = new ContrastiveTrainer(options, data).Run(new TrainingControl
        {
            CheckpointPath = checkpoint,
            Interrupt = interrupt.Token,
            OnEpoch = m =>
            {
                if (m.Epoch == 1) interrupt.Cancel();
                return EpochVerdict.Continue;
            },
        });
        Assert.Equal((TrialStatus.Interrupted, 1, null), (stopped.Status, stopped.EpochsCompleted, stopped.Error));
        var resumed = new ContrastiveTrainer(options, data).Run(new TrainingControl { CheckpointPath = checkpoint });
        AssertSameOutcome(straight, resumed);
    }

    /// <summary>Issue 20: the InstDisc bank (its vectors, the generator, the batch-norm statistics of the mlp-bn head) is
    /// in every checkpoint, so a bank trial interrupted in its second epoch of four resumes bit for bit.</summary>
    [Fact]
    public void AMemoryBankTrialInterruptedInItsSecondEpochOfFourResumesBitForBit()
    {
        var options = Options(negatives: NegativeSource.MemoryBank) with { Epochs = 4, ProjectionHead = ProjectionHeadKind.MlpBatchNorm };
        var straight = new ContrastiveTrainer(options, data).Run();
        var checkpoint = Path.Combine(dir, "bank-mid.ckpt");
        using var interrupt = new CancellationTokenSource();
        var stopped = new ContrastiveTrainer(options, data).Run(new TrainingControl
        {
            CheckpointPath = checkpoint,
            Interrupt = interrupt.Token,
            OnProgress = p => { if (p.Epoch == 2 && p.Step == 10) interrupt.Cancel(); },
        });
        Assert.Equal((TrialStatus.Interrupted, 1), (stopped.Status, stopped.EpochsCompleted));
        var resumed = new ContrastiveTrainer(options, data).Run(new TrainingControl { CheckpointPath = checkpoint });
        AssertSameOutcome(straight, resumed);
        Assert.Equal(4, resumed.History.Count);
    }

    /// <summary>
    /// Why --projection-head mlp-bn exists (docs/EXPERIMENTS.md §1): the untrained cnn-small maps every image into a
    /// narrow cone, and with the plain `mlp` head an InstDisc bank never spreads it — the projection collapses to one point —
    /// while batch normalisation in the head lets the same bank learn. The collapse rule stops the first at its second
    /// epoch, without the final evaluation; off, the trial runs on to a collapsed embedding.
    /// </summary>
    [Fact]
    public void WithAMemoryBankTheMlpHeadCollapsesAndTheMlpBnHeadLearns()
    {
        var options = Options(tau: 0.2, negatives: NegativeSource.MemoryBank) with { Epochs = 3 };
        var caught = new ContrastiveTrainer(options, data).Run();
        Assert.Equal((TrialStatus.Collapsed, 2), (caught.Status, caught.EpochsCompleted));
        Assert.StartsWith("collapsed: validation uniformity ", caught.Error);
        Assert.Null(caught.Evaluation);
        Assert.Equal(caught.History[^1].ValKnnAccuracy, caught.Metrics.ValKnnAccuracy);

        var mlp = new ContrastiveTrainer(options with { Collapse = null }, data).Run();
        Assert.Equal(TrialStatus.Completed, mlp.Status);
        Assert.InRange(mlp.Metrics.Uniformity!.Value, 0, 0.01);
        Assert.InRange(mlp.Metrics.Tolerance!.Value, 0.999, 1.0001);
        Assert.Equal(caught.History, mlp.History.Take(2).Select((h, i) => h with { Seconds = caught.History[i].Seconds, ImagesPerSecond = caught.History[i].ImagesPerSecond }));

        var mlpBn = new ContrastiveTrainer(options with { ProjectionHead = ProjectionHeadKind.MlpBatchNorm }, data).Run();
        Assert.Equal(TrialStatus.Completed, mlpBn.Status);
        Assert.InRange(mlpBn.Metrics.Uniformity!.Value, 1, 4.1);
        Assert.InRange(mlpBn.Metrics.Tolerance!.Value, -1, 0.9);
    }

    /// <summary>Issue 10, defect 5: a stop asked for after the last epoch (a silo's SIGTERM) used to be ignored by the
    /// final evaluation, and the last epoch's checkpoint never reported; now the trial stops there and resumes
    /// straight into the evaluation, to the same result.</summary>
    [Fact]
    public void InterruptedBeforeTheFinalEvaluationResumesIntoItToTheSameResult()
    {
        var options = Options();
        var straight = new ContrastiveTrainer(options, data).Run();
        using var interrupt = new CancellationTokenSource();
        var stopped = new ContrastiveTrainer(options, data).Run(new TrainingControl
        {
            CheckpointPathFor = (epoch, step) => Path.Combine(dir, $"final-e{epoch}-s{step}.ckpt"),
            Interrupt = interrupt.Token,
            OnEpoch = m => { if (m.Epoch == options.Epochs) interrupt.Cancel(); return EpochVerdict.Continue; },
        });
        Assert.Equal(TrialStatus.Interrupted, stopped.Status);
        Assert.Equal(options.Epochs, stopped.EpochsCompleted);
        Assert.Equal(Path.Combine(dir, $"final-e{options.Epochs}-s0.ckpt"), stopped.Checkpoint);
        Assert.Null(stopped.Evaluation);
        var resumed = new ContrastiveTrainer(options, data).Run(new TrainingControl { ResumeFrom = stopped.Checkpoint });
        AssertSameOutcome(straight, resumed);
    }

    /// <summary>bf16 compute with fp32 master weights follows the fp32 run closely (same data, weights and draws).</summary>
    [Fact]
    public void Bf16TrainsLikeFp32()
    {
        var fp32 = new ContrastiveTrainer(Options(), data).Run();
        var bf16 = new ContrastiveTrainer(Options(precision: Precision.Bf16), data).Run();
        Assert.Equal(TrialStatus.Completed, bf16.Status);
        foreach (var (a, b) in fp32.History.Zip(bf16.History))
            Assert.InRange(b.Loss, a.Loss * 0.98, a.Loss * 1.02);
        Assert.True(bf16.History[1].Loss < bf16.History[0].Loss, "bf16 did not train");
        Assert.InRange(bf16.Metrics.Uniformity!.Value, fp32.Metrics.Uniformity!.Value - 0.1, fp32.Metrics.Uniformity.Value + 0.1);
        Assert.NotEqual(fp32.History[^1].Loss, bf16.History[^1].Loss); // it did compute in bf16
    }

    [Fact]
    public void ResultDoesNotDependOnWhatElseRunsInTheProcess()
    {
        var alone = new ContrastiveTrainer(Options(), data).Run();
        TrainingOutcome? together = null;
        var a = new Thread(() => together = new ContrastiveTrainer(Options(), data).Run());
        var b = new Thread(() => new ContrastiveTrainer(Options(tau: 0.7, seed: 5), data).Run());
        a.Start(); b.Start();
        a.Join(); b.Join();
        AssertSameOutcome(alone, together!);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentTrials()
    {
        var one = new ContrastiveTrainer(Options(seed: 1) with { Epochs = 1 }, data).Run();
        var two = new ContrastiveTrainer(Options(seed: 2) with { Epochs = 1 }, data).Run();
        Assert.NotEqual(one.Metrics.Loss, two.Metrics.Loss);
    }

    [Fact]
    public void ADivergingTrialStopsWithAReason()
    {
        var options = Options(tau: 1e-20) with { Optimizer = OptimizerKind.Sgd, LearningRate = 1e6, Epochs = 1 };
        var outcome = new ContrastiveTrainer(options, data).Run();
        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains("loss became", outcome.Error);
        Assert.Null(outcome.Evaluation);
    }

    [Fact]
    public void CancelStopsAtTheNextStep()
    {
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        var outcome = new ContrastiveTrainer(Options(), data).Run(new TrainingControl
        {
            Cancel = cancel.Token,
            OnProgress = p => { steps = p.Step; cancel.Cancel(); },
        });
        Assert.Equal(TrialStatus.Cancelled, outcome.Status);
        Assert.Equal(0, outcome.EpochsCompleted);
        Assert.Equal(10, steps);
    }

    [Theory]
    [InlineData(LossKind.Hard)]
    [InlineData(LossKind.Simple)]
    [InlineData(LossKind.HardSimple)]
    public void EveryLossTrainsAndEvaluates(LossKind loss)
    {
        var outcome = new ContrastiveTrainer(Options(loss: loss, negatives: NegativeSource.MemoryBank) with { Epochs = 1 }, data).Run();
        Assert.Equal(TrialStatus.Completed, outcome.Status);
        Assert.InRange(outcome.Metrics.Uniformity!.Value, 0, 4.1);
        Assert.InRange(outcome.Metrics.Tolerance!.Value, -1, 1);
        Assert.InRange(outcome.Metrics.LinearAccuracy!.Value, 0.2, 1); // ten classes: chance is 0.1
    }

    [Fact]
    public void TheLastEpochsValidationKnnAccuracyIsTheFinalOne()
    {
        // The per-epoch measurement is the final evaluation's: the validation split against all training images used.
        var outcome = new ContrastiveTrainer(Options(), data).Run();
        Assert.Equal(outcome.Metrics.ValKnnAccuracy, outcome.History[^1].ValKnnAccuracy);
        Assert.All(outcome.History, h => Assert.Equal(0.3, h.Tau));
    }

    [Fact]
    public void ACosineScheduleTrainsAtEachStepsTau()
    {
        var constant = new ContrastiveTrainer(Options(tau: 0.1), data).Run();
        var cosine = new ContrastiveTrainer(Options(tau: 0.1) with { TauMax = 1.0, TauSchedule = TauScheduleKind.Cosine, TauPeriod = 4 }, data).Run();
        Assert.Equal(TrialStatus.Completed, cosine.Status);
        // Epoch 1 runs t ∈ [0, 1) of a 4-epoch period, from τ+ down: its mean τ is above the middle; epoch 2 below it.
        double middle = 0.55;
        Assert.InRange(cosine.History[0].Tau!.Value, middle + 0.2, 1.0);
        Assert.InRange(cosine.History[1].Tau!.Value, 0.1, middle - 0.2);
        Assert.NotEqual(constant.History[0].Loss, cosine.History[0].Loss);
        Assert.True(cosine.History[0].PenaltyEntropy > constant.History[0].PenaltyEntropy, "a warmer τ spreads the penalty wider");
    }
}
