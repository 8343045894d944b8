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
        using var model = ContrastiveModel.Create(options.Encoder, data.Train.Channels, random, device);
        using var optimizer = TrainingStep.CreateOptimizer(model, options);
        using var bank = loss.Negatives == NegativeSource.MemoryBank
            ? MemoryBank.Random(data.Training.Length, model.ProjectionSize, random, device) : null;
        var augmentation = new ContrastiveAugmentation(data.Train.Channels == 3);
        using var mixed = options.Precision == Precision.Bf16 ? new MixedPrecision(model, device) : null;
        var step = new TrainingStep(model, optimizer, augmentation, loss, bank, mixed);
        var evaluator = new Evaluator(model, data, augmentation, loss, device, options.Seed);
        using var trainingIndices = tensor(data.Training);

        var state = new Checkpoint { Attempt = control.Attempt };
        if (control.LoadPath is { } path)
        {
            var (restored, bankVectors) = Checkpoint.Load(path, model, optimizer, random, device);
            if (bankVectors is not null) bank?.Replace(bankVectors);
            state = restored;
        }
        var history = new List<EpochMetrics>(state.History);
        string? lastCheckpoint = control.LoadPath;

        long n = data.Training.Length;
        int batch = (int)Math.Min(options.BatchSize, n);
        int stepsPerEpoch = (int)(n / batch);
        model.train();
        for (int epoch = state.EpochsCompleted + 1; epoch <= options.Epochs; epoch++)
        {
            bool resumingMidEpoch = state.Permutation is not null;
            long[] permutation;
            if (resumingMidEpoch) permutation = state.Permutation!;
            else permutation = random.Permutation(n);
            int firstStep = resumingMidEpoch ? state.StepInEpoch : 0;
            double lossSum = resumingMidEpoch ? state.EpochLossSum : 0;
            double seconds = resumingMidEpoch ? state.EpochSeconds : 0;
            state = new Checkpoint { Attempt = control.Attempt };
            using var order = tensor(permutation);
            var epochClock = Stopwatch.StartNew();
            double rate = options.LearningRate;
            for (int s = firstStep; s < stepsPerEpoch; s++)
            {
                if (control.Cancel.IsCancellationRequested)
                    return Stopped(TrainingStatus.Cancelled, epoch - 1, history, "cancelled", clock);
                if (control.Interrupt.IsCancellationRequested && control.SavePath(epoch, s) is { } interruptPath)
                {
                    Checkpoint.Save(interruptPath, new Checkpoint
                    {
                        EpochsCompleted = epoch - 1, StepInEpoch = s, Permutation = permutation, EpochLossSum = lossSum,
                        EpochSeconds = seconds + epochClock.Elapsed.TotalSeconds, History = history, Attempt = control.Attempt,
                    }, model, optimizer, random, bank?.Vectors);
                    return Stopped(TrainingStatus.Interrupted, epoch - 1, history, null, clock) with { Checkpoint = interruptPath };
                }
                double progress = ((epoch - 1) * (double)stepsPerEpoch + s) / (options.Epochs * (double)stepsPerEpoch);
                rate = LearningRateSchedule.At(options.Schedule, options.LearningRate, progress);
                step.SetLearningRate(rate);
                float value;
                using (var rows = order.narrow(0, (long)s * batch, batch))
                using (var imageIndices = trainingIndices.index_select(0, rows))
                using (var images = data.Train.Batch(imageIndices, device))
                using (var bankRows = bank is null || device.type == DeviceType.CPU ? null : rows.to(device))
                    value = step.Run(images, bankRows ?? rows, random);
                if (!float.IsFinite(value))
                    return Stopped(TrainingStatus.Failed, epoch - 1, history,
                        $"loss became {value} at epoch {epoch}, step {s + 1} (τ = {options.Tau}); stopped", clock);
                lossSum += value;
                if (control.OnProgress is { } progressCallback && (s + 1) % ProgressEvery == 0)
                    progressCallback(new StepProgress(epoch, s + 1, stepsPerEpoch, lossSum / (s + 1),
                        seconds + epochClock.Elapsed.TotalSeconds, batch));
            }
            seconds += epochClock.Elapsed.TotalSeconds;
            int stepsDone = stepsPerEpoch;
            var probe = evaluator.ProbeEpoch(epoch);
            var metrics = new EpochMetrics(epoch, lossSum / stepsDone, probe.PositiveSimilarity, probe.NearestNegativeSimilarity,
                probe.PenaltyEntropy, probe.ValKnnAccuracy, rate, seconds, stepsDone * (double)batch / seconds,
                probe.ValUniformity, probe.ValTolerance);
            history.Add(metrics);
            if (control.SavePath(epoch, 0) is { } checkpointPath)
            {
                Checkpoint.Save(checkpointPath, new Checkpoint { EpochsCompleted = epoch, History = history, Attempt = control.Attempt },
                    model, optimizer, random, bank?.Vectors);
                lastCheckpoint = checkpointPath;
            }
            if (control.OnEpoch?.Invoke(metrics) == EpochDecision.Prune && epoch < options.Epochs)
                return Stopped(TrainingStatus.Pruned, epoch, history, null, clock);
        }

        // Interrupted (a silo stopping) before or during the final evaluation: the last epoch's checkpoint resumes
        // straight into the evaluation elsewhere, instead of the silo holding its stop for the whole evaluation.
        if (control.Interrupt.IsCancellationRequested && lastCheckpoint is not null)
            return Stopped(TrainingStatus.Interrupted, options.Epochs, history, null, clock) with { Checkpoint = lastCheckpoint };
        FinalEvaluation evaluation;
        try { evaluation = evaluator.Evaluate(lastCheckpoint is null ? default : control.Interrupt); }
        catch (OperationCanceledException) when (control.Interrupt.IsCancellationRequested)
        {
            return Stopped(TrainingStatus.Interrupted, options.Epochs, history, null, clock) with { Checkpoint = lastCheckpoint };
        }
        var final = new TrialMetrics(evaluation.LinearAccuracy, evaluation.KnnAccuracy, evaluation.ValLinearAccuracy,
            evaluation.ValKnnAccuracy, evaluation.Uniformity, evaluation.Tolerance, evaluation.Alignment, history.LastOrDefault()?.Loss);
        return new TrainingOutcome(TrainingStatus.Completed, options.Epochs, history, final, evaluation, null, clock.Elapsed.TotalSeconds);
    }

    static TrainingOutcome Stopped(TrainingStatus status, int epochs, List<EpochMetrics> history, string? error, Stopwatch clock) =>
        new(status, epochs, history, TrialMetrics.FromLastEpoch(history.LastOrDefault()), null, error, clock.Elapsed.TotalSeconds);
}
