using System.Diagnostics;
using System.Runtime.InteropServices;
using Study.Training.Trainer;

namespace Study.Grains.Running.Workers;

/// <summary>
/// The worker process of a slot (<c>study __slot-worker</c> or <c>silo __slot-worker</c>): runs the trials its silo
/// sends, one after another, on its main thread, with its own CUDA context and its own copy of the datasets (see
/// <see cref="WorkerProtocol"/>). A process per slot lets several trials share one GPU without sharing one CUDA
/// stream, which TorchSharp 0.107 cannot give threads of one process; and a native crash ends one trial, not the silo.
/// </summary>
public static class SlotWorker
{
    public const string Argument = "__slot-worker";

    public static int Run(TextReader input, TextWriter output)
    {
        // Ctrl-C in a terminal, or a service manager stopping the group, signals the worker along with its silo: the
        // silo decides (cancel, or checkpoint and stop) and tells the worker; the worker ends when its input does.
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => c.Cancel = true);
        var channel = new Channel(input, output);
        using var datasets = new DatasetCache();
        var trainer = new ContrastiveTrialTrainer(datasets);
        bool initialised = false;
        while (channel.NextTrial() is { } trial)
        {
            if (!initialised) { TrainingRuntime.Initialize(trial.Threads); initialised = true; }
            var outcome = Train(trainer, trial, channel, out bool healthy);
            channel.Send(new WorkerEvent(Outcome: outcome));
            channel.EndTrial();
            if (!healthy) return 1; // an unexpected exception may have left native state broken: the silo starts a new worker
        }
        return 0;
    }

    static TrainingOutcome Train(ContrastiveTrialTrainer trainer, WorkerTrial trial, Channel channel, out bool healthy)
    {
        healthy = true;
        var a = trial.Assignment;
        long lastProgressMs = 0;
        var control = new TrainingControl
        {
            Attempt = a.Attempt,
            ResumeFrom = trial.ResumeFrom,
            CheckpointPathFor = (epoch, step) => CheckpointFiles.PathFor(trial.CheckpointFolder, a.Attempt, epoch, step),
            Cancel = channel.Cancel,
            Interrupt = channel.Interrupt,
            OnProgress = p =>
            {
                // Progress is for people watching: a few lines a second are plenty (a GPU does ten steps in milliseconds).
                if (Environment.TickCount64 - lastProgressMs < 250) return;
                lastProgressMs = Environment.TickCount64;
                channel.Send(new WorkerEvent(Progress: p));
            },
            OnEpoch = m =>
            {
                channel.Send(new WorkerEvent(Epoch: m));
                return WorkerProtocol.VerdictOf(channel.AwaitVerdict());
            },
        };
        var clock = Stopwatch.StartNew();
        try { return trainer.Train(a, trial.Device, control); }
        catch (Exception e) when (TrainingOutcome.IsTrialError(e)) { return TrainingOutcome.Failure(e.Message, clock.Elapsed.TotalSeconds); }
        catch (Exception e)
        {
            healthy = false;
            return TrainingOutcome.Failure($"{e.GetType().Name}: {e.Message}", clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>The worker's side of the pipes. A reader thread takes the silo's lines: trials are queued, verdicts handed
    /// to the waiting epoch, cancel and interrupt set the running trial's tokens. When the silo goes (stdin ends) while a
    /// trial runs, the worker exits at once: the trial's last checkpoint is what the next attempt resumes from.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "one channel a worker process, which it lives as long as")]
    sealed class Channel
    {
        readonly TextWriter output;
        readonly System.Collections.Concurrent.BlockingCollection<WorkerTrial> trials = new();
        readonly System.Collections.Concurrent.BlockingCollection<string> verdicts = new();
        readonly object gate = new();
        CancellationTokenSource cancel = new(), interrupt = new();
        bool running;

        public Channel(TextReader input, TextWriter output)
        {
            this.output = output;
            new Thread(() => Read(input)) { IsBackground = true, Name = "slot-worker-input" }.Start();
        }

        public CancellationToken Cancel { get { lock (gate) return cancel.Token; } }
        public CancellationToken Interrupt { get { lock (gate) return interrupt.Token; } }

        public WorkerTrial? NextTrial()
        {
            try { return trials.Take(); }
            catch (InvalidOperationException) { return null; } // stdin ended while idle
        }

        public void EndTrial()
        {
            lock (gate)
            {
                running = false;
                cancel = new CancellationTokenSource();
                interrupt = new CancellationTokenSource();
            }
            while (verdicts.TryTake(out _)) { }
        }

        public string AwaitVerdict()
        {
            try { return verdicts.Take(); }
            catch (InvalidOperationException) { return WorkerProtocol.Continue; }
        }

        public void Send(WorkerEvent message)
        {
            var line = WorkerProtocol.Write(message);
            lock (output)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }

        void Read(TextReader input)
        {
            while (input.ReadLine() is { } line)
            {
                switch (line)
                {
                    case WorkerProtocol.Continue or WorkerProtocol.Prune or WorkerProtocol.Pause: verdicts.Add(line); break;
                    case WorkerProtocol.Cancel: lock (gate) if (running) cancel.Cancel(); break;
                    case WorkerProtocol.Interrupt: lock (gate) if (running) interrupt.Cancel(); break;
                    default:
                        var trial = WorkerProtocol.Read<WorkerTrial>(line);
                        lock (gate) running = true; // from here a cancel or interrupt is this trial's
                        trials.Add(trial);
                        break;
                }
            }
            lock (gate) if (running) Environment.Exit(3);
            trials.CompleteAdding();
            verdicts.CompleteAdding();
        }
    }
}
