using System.Diagnostics;
using Study.Training.Augmentation;
using Study.Training.Data;
using Study.Training.Evaluation;
using Study.Training.Losses;
using Study.Training.Models;
using Study.Training.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace Study.Training.Trainer;

/// <summary>
/// Trains and evaluates one trial synchronously on the calling thread (a dedicated slot thread in a silo, never a
/// pool thread: TorchSharp's dispose scopes are thread-static). Everything random comes from the trial's own
/// <see cref="TrialRandom"/>, so its result depends only on its options and thread count, not on what else runs in the process.
/// </summary>
public sealed class ContrastiveTrainer(TrainingOptions options, DataSplits data)
{
    const int ProgressEvery = 10;

    public TrainingOutcome Run(TrainingControl? control = null)
    {
        options.Validate();
        var device = TrainingDevice.Resolve(options.Device);
        return Train(control ?? new TrainingControl(), device) with { Device = TrainingDevice.Name(device) };
    }

    TrainingOutcome Train(TrainingControl control, Device device)
    {
        var clock = Stopwatch.StartNew();
        var loss = options.LossSettings;
        using var random = new TrialRandom(options.Seed);
        using var model = ContrastiveModel.Create(options.Encoder, options.ProjectionHead, data.Train.Channels, random, device);
        using var optimizer = TrainingStep.CreateOptimizer(model, options);
        using var bank = loss.Negatives == NegativeSource.MemoryBank
            ? MemoryBank.Random(data.Training.Length, model.ProjectionSize, random, device) : null;
        var augmentation = new ContrastiveAugmentation(data.Train.Channels == 3);
        using var mixed = options.Precision == Precision.Bf16 ? new MixedPrecision(model, device) : null;
        var step = new TrainingStep(model, optimizer, augmentation, loss, bank, mixed, control.Profile);
        using var evaluator = new Evaluator(model, data, augmentation, device, options.Seed, control.Profile);
        using var trainingIndices = tensor(data.Training);

        var state = Resume(control, model, optimizer, random, bank, device);
        long n = data.Training.Length;
        int batch = (int)Math.Min(options.BatchSize, n);
        var run = new TrainingRun
        {
            Control = control, Device = device, Random = random, Model = model, Optimizer = optimizer, Bank = bank, Step = step,
            Evaluator = evaluator, TrainingIndices = trainingIndices, Batch = batch, StepsPerEpoch = (int)(n / batch), Clock = clock,
            History = new List<EpochMetrics>(state.History), LastCheckpoint = control.LoadPath,
        };
        model.train();
        for (int epoch = state.EpochsCompleted + 1; epoch <= options.Epochs; epoch++)
        {
            if (TrainEpoch(run, epoch, state) is { } stopped) return stopped;
            state = new Checkpoint { Attempt = control.Attempt };
        }
        return Evaluate(run);
    }

    /// <returns>the checkpoint's state (the bank's vectors restored too), or a fresh one without a checkpoint</returns>
    static Checkpoint Resume(TrainingControl control, ContrastiveModel model, optim.Optimizer optimizer, TrialRandom random,
        MemoryBank? bank, Device device)
    {
        if (control.LoadPath is not { } path) return new Checkpoint { Attempt = control.Attempt };
        var (restored, bankVectors) = Checkpoint.Load(path, model, optimizer, random, device);
        if (bankVectors is not null) bank?.Replace(bankVectors);
        return restored;
    }

    /// <param name="from">where the epoch resumes (a checkpoint taken mid-epoch), or a fresh state</param>
    /// <returns>how the trial stopped during the epoch, or null when it goes on</returns>
    TrainingOutcome? TrainEpoch(TrainingRun run, int epoch, Checkpoint from)
    {
        bool resumingMidEpoch = from.Permutation is not null;
        long[] permutation = resumingMidEpoch ? from.Permutation! : run.Random.Permutation(data.Training.Length);
        using var order = tensor(permutation);
        var current = new EpochInProgress(epoch, permutation, resumingMidEpoch ? from.EpochLossSum : 0,
            resumingMidEpoch ? from.EpochSeconds : 0, options.LearningRate,
            resumingMidEpoch ? from.EpochHardness : null, resumingMidEpoch ? from.EpochTauSum : 0);
        var temperature = options.Temperature;
        run.Evaluator.ForgetProbe();
        for (int s = resumingMidEpoch ? from.StepInEpoch : 0; s < run.StepsPerEpoch; s++)
        {
            if (StopBefore(run, current, s) is { } stopped) return stopped;
            double progress = ((epoch - 1) * (double)run.StepsPerEpoch + s) / (options.Epochs * (double)run.StepsPerEpoch);
            current.LearningRate = LearningRateSchedule.At(options.Schedule, options.LearningRate, progress);
            run.Step.SetLearningRate(current.LearningRate);
            double? tau = temperature?.At(epoch - 1 + s / (double)run.StepsPerEpoch);
            current.TauSum += tau ?? 0;
            float value = TrainStep(run, order, s, tau, current.Hardness);
            if (!float.IsFinite(value))
                return Stopped(TrialStatus.Failed, epoch - 1, run.History,
                    $"loss became {value} at epoch {epoch}, step {s + 1} (τ = {tau}); stopped", run.Clock);
            current.LossSum += value;
            if (run.Control.OnProgress is { } progressCallback && (s + 1) % ProgressEvery == 0)
                progressCallback(new StepProgress(epoch, s + 1, run.StepsPerEpoch, current.LossSum / (s + 1), current.Seconds, run.Batch));
        }
        return EndEpoch(run, current);
    }

    /// <returns>the outcome when the trial is cancelled, or interrupted (checkpointed at step <paramref name="s"/>); else null</returns>
    static TrainingOutcome? StopBefore(TrainingRun run, EpochInProgress current, int s)
    {
        var control = run.Control;
        if (control.Cancel.IsCancellationRequested)
            return Stopped(TrialStatus.Cancelled, current.Epoch - 1, run.History, "cancelled", run.Clock);
        if (!control.Interrupt.IsCancellationRequested || control.SavePath(current.Epoch, s) is not { } interruptPath) return null;
        using var lap = control.Profile.Time(TrialPhase.Checkpoint);
        Checkpoint.Save(interruptPath, new Checkpoint
        {
            EpochsCompleted = current.Epoch - 1, StepInEpoch = s, Permutation = current.Permutation, EpochLossSum = current.LossSum,
            EpochSeconds = current.Seconds, EpochHardness = current.Hardness, EpochTauSum = current.TauSum, History = run.History,
            Attempt = control.Attempt,
        }, run.Model, run.Optimizer, run.Random, run.Bank?.Vectors);
        return Stopped(TrialStatus.Interrupted, current.Epoch - 1, run.History, null, run.Clock) with { Checkpoint = interruptPath };
    }

    /// <returns>the step's loss</returns>
    float TrainStep(TrainingRun run, Tensor order, int s, double? tau, HardnessStatistics hardness)
    {
        using var rows = order.narrow(0, (long)s * run.Batch, run.Batch);
        Tensor images;
        Tensor? bankRows;
        using (run.Control.Profile.Time(TrialPhase.Batch))
        {
            using var imageIndices = run.TrainingIndices.index_select(0, rows);
            images = data.Train.Batch(imageIndices, run.Device);
            bankRows = run.Bank is null || run.Device.type == DeviceType.CPU ? null : rows.to(run.Device);
        }
        using (images)
        using (bankRows)
            return run.Step.Run(images, bankRows ?? rows, run.Random, tau, hardness);
    }

    /// <summary>Probes the epoch, checkpoints it, tells the host, and stops the trial if its embedding has collapsed.</summary>
    /// <returns>the outcome when the trial collapsed or the host stops it, else null</returns>
    TrainingOutcome? EndEpoch(TrainingRun run, EpochInProgress current)
    {
        double seconds = current.Seconds;
        int stepsDone = run.StepsPerEpoch;
        var probe = run.Evaluator.ProbeEpoch();
        var hardness = current.Hardness;
        var metrics = new EpochMetrics(current.Epoch, current.LossSum / stepsDone, hardness.PositiveSimilarity,
            hardness.NearestNegativeSimilarity, hardness.PenaltyEntropy, probe.ValKnnAccuracy, probe.ValUniformity, probe.ValTolerance,
            current.LearningRate, seconds, stepsDone * (double)run.Batch / seconds, EpochTau(current, stepsDone));
        run.History.Add(metrics);
        if (run.Control.SavePath(current.Epoch, 0) is { } checkpointPath)
        {
            using var lap = run.Control.Profile.Time(TrialPhase.Checkpoint);
            Checkpoint.Save(checkpointPath, new Checkpoint { EpochsCompleted = current.Epoch, History = run.History, Attempt = run.Control.Attempt },
                run.Model, run.Optimizer, run.Random, run.Bank?.Vectors);
            run.LastCheckpoint = checkpointPath;
        }
        var verdict = run.Control.OnEpoch?.Invoke(metrics) ?? EpochVerdict.Continue;
        // Even at the last epoch: a collapsed embedding is not worth the final evaluation.
        if (options.Collapse?.Verdict(run.History) is { } collapse)
            return Stopped(TrialStatus.Collapsed, current.Epoch, run.History, collapse, run.Clock);
        if (current.Epoch >= options.Epochs) return null;
        if (verdict == EpochVerdict.Prune) return Stopped(TrialStatus.Pruned, current.Epoch, run.History, null, run.Clock);
        if (verdict == EpochVerdict.Stop) return Stopped(TrialStatus.Cancelled, current.Epoch, run.History, "cancelled", run.Clock);
        // Paused: resumed later from this epoch's checkpoint, as a trial moved off a stopping silo is.
        if (verdict == EpochVerdict.Pause && run.LastCheckpoint is { } at)
            return Stopped(TrialStatus.Interrupted, current.Epoch, run.History, null, run.Clock) with { Checkpoint = at };
        return null;
    }

    /// <summary>The epoch's mean τ: the constant itself (no rounding of a sum), or the schedule's mean over the steps.</summary>
    double? EpochTau(EpochInProgress current, int steps) => options.Temperature switch
    {
        null => null,
        { Kind: TauScheduleKind.Constant } constant => constant.Low,
        _ => current.TauSum / steps,
    };

    TrainingOutcome Evaluate(TrainingRun run)
    {
        var (control, history, lastCheckpoint) = (run.Control, run.History, run.LastCheckpoint);
        // Interrupted (a silo stopping) before or during the final evaluation: the last epoch's checkpoint resumes
        // straight into the evaluation elsewhere, instead of the silo holding its stop for the whole evaluation.
        if (control.Interrupt.IsCancellationRequested && lastCheckpoint is not null)
            return Stopped(TrialStatus.Interrupted, options.Epochs, history, null, run.Clock) with { Checkpoint = lastCheckpoint };
        FinalEvaluation evaluation;
        try { evaluation = run.Evaluator.Evaluate(lastCheckpoint is null ? default : control.Interrupt); }
        catch (OperationCanceledException) when (control.Interrupt.IsCancellationRequested)
        {
            return Stopped(TrialStatus.Interrupted, options.Epochs, history, null, run.Clock) with { Checkpoint = lastCheckpoint };
        }
        var final = new TrialMetrics(evaluation.LinearAccuracy, evaluation.KnnAccuracy, evaluation.ValLinearAccuracy,
            evaluation.ValKnnAccuracy, evaluation.Uniformity, evaluation.Tolerance, evaluation.Alignment, history.LastOrDefault()?.Loss);
        return new TrainingOutcome(TrialStatus.Completed, options.Epochs, history, final, evaluation, null, run.Clock.Elapsed.TotalSeconds);
    }

    static TrainingOutcome Stopped(TrialStatus status, int epochs, List<EpochMetrics> history, string? error, Stopwatch clock) =>
        new(status, epochs, history, TrialMetrics.FromLastEpoch(history.LastOrDefault()), null, error, clock.Elapsed.TotalSeconds);
}
