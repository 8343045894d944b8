using System.Diagnostics;
using Study.Training.Evaluation;
using Study.Training.Trainer;

namespace Study.Grains.Running;

/// <summary>
/// For runtime benchmarks and tests (docs/PERFORMANCE.md): no tensor work; each epoch takes the study's SyntheticEpochMs and
/// reports made-up but τ-shaped metrics (accuracy peaking at τ = 0.3). Honours cancel and interrupt between
/// short sleeps, and "checkpoints" the epoch count to the checkpoint path so that a resumed trial continues.
/// </summary>
public sealed class SyntheticTrialTrainer : ITrialTrainer
{
    public TrainingOutcome Train(TrialAssignment assignment, string device, TrainingControl control)
    {
        var clock = Stopwatch.StartNew();
        int epochs = assignment.Study.Epochs;
        int epochMs = assignment.Study.SyntheticEpochMs ?? 0;
        double tau = assignment.Trial.Tau ?? 1.0;
        double accuracy = Accuracy(tau, assignment.Trial.Seed);
        int done = control.LoadPath is { } path && File.Exists(path) ? int.Parse(File.ReadAllText(path)) : 0;
        var history = new List<EpochMetrics>();
        for (int epoch = done + 1; epoch <= epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            while (epochClock.ElapsedMilliseconds < epochMs)
            {
                if (control.Cancel.IsCancellationRequested) return Stop(TrialStatus.Cancelled, epoch - 1, history, clock);
                if (control.Interrupt.IsCancellationRequested)
                {
                    var at = control.SavePath(epoch, 1);
                    if (at is not null) Write(at, epoch - 1);
                    return Stop(TrialStatus.Interrupted, epoch - 1, history, clock) with { Checkpoint = at };
                }
                Thread.Sleep(Math.Min(5, Math.Max(1, epochMs - (int)epochClock.ElapsedMilliseconds)));
            }
            double progress = (double)epoch / epochs;
            var metrics = new EpochMetrics(epoch, 5 - progress, 0.8, 0.5, 3 + tau, accuracy * (0.7 + 0.3 * progress),
                ValUniformity: 2 + 0.5 * progress, ValTolerance: 0.3 + 0.2 * tau, LearningRate: 0.001, Seconds: epochClock.Elapsed.TotalSeconds,
                ImagesPerSecond: 0);
            history.Add(metrics);
            // The last epoch's checkpoint is only ever read if the trial dies after it; a synthetic trial ends right there.
            string? save = epoch < epochs ? control.SavePath(epoch, 0) : null;
            if (save is not null) Write(save, epoch);
            var verdict = control.OnEpoch?.Invoke(metrics);
            if (verdict == EpochVerdict.Prune && epoch < epochs) return Stop(TrialStatus.Pruned, epoch, history, clock);
            if (verdict == EpochVerdict.Stop && epoch < epochs) return Stop(TrialStatus.Cancelled, epoch, history, clock);
            if (verdict == EpochVerdict.Pause && save is not null) return Stop(TrialStatus.Interrupted, epoch, history, clock) with { Checkpoint = save };
        }
        var final = new TrialMetrics(accuracy, accuracy - 0.02, accuracy + 0.01, accuracy - 0.01,
            Uniformity: 4 - Math.Min(3, tau * 1.5), Tolerance: Math.Min(0.9, 0.1 + tau * 0.4), Alignment: 0.5, Loss: 4);
        return new TrainingOutcome(TrialStatus.Completed, epochs, history, final, null, null, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Peaks at τ = 0.3 on a log scale, with a little seed noise.</summary>
    public static double Accuracy(double tau, long seed) =>
        0.85 - 0.04 * Math.Pow(Math.Log(tau / 0.3), 2) + 0.002 * ((seed * 7919 % 11) - 5) / 5.0;

    static TrainingOutcome Stop(TrialStatus status, int epochs, List<EpochMetrics> history, Stopwatch clock) =>
        new(status, epochs, history, TrialMetrics.FromLastEpoch(history.LastOrDefault()), null, null, clock.Elapsed.TotalSeconds);

    static void Write(string path, int epoch)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, epoch.ToString());
    }
}
