using Study.Client;
using Study.Client.Cli;
using Study.Client.Commands;
using Study.Training.Data;
using Study.Training.Native;

return StudyProgram.Run(args);

namespace Study.Client
{
    /// <summary>The <c>study</c> console: one command per verb of SPEC §2; exit statuses as SPEC §2 says.</summary>
    public static class StudyProgram
    {
        public static int Run(string[] args)
        {
            if (args is [Grains.Running.Workers.SlotWorker.Argument]) return SlotWorkerMain();
            // Numbers in files, tables and messages are written the same way whatever the machine's locale.
            System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                if (cancel.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
                if (Progress.ConsoleInterrupt.TryIntercept()) { e.Cancel = true; return; }
                e.Cancel = true;
                Console.Error.WriteLine("study: cancelling (Ctrl-C again to quit at once)");
                cancel.Cancel();
            };
            // Without this, the embedded silo's host took SIGTERM and stopped under a study still waiting on it.
            using var onTerminate = Progress.Termination.Listen(cancel.Cancel);
            try
            {
                return Dispatch(args, cancel.Token);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"study: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (DatasetFormatException e)
            {
                Console.Error.WriteLine($"study: {e.Message}");
                return ExitCodes.BadInput;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return ExitCodes.Cancelled;
            }
        }

        /// <summary>A slot's worker process of an embedded run (see SlotWorker): no console of its own, only the protocol.</summary>
        static int SlotWorkerMain()
        {
            if (NativeLibTorch.Load() is { } missing)
            {
                Console.Error.WriteLine($"study: {missing}");
                return ExitCodes.BadInput;
            }
            return Grains.Running.Workers.SlotWorker.Run(Console.In, Console.Out);
        }

        static int Dispatch(string[] args, CancellationToken cancel)
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                Console.WriteLine(Help.Overview);
                return args.Length == 0 ? ExitCodes.BadInput : ExitCodes.Completed;
            }
            var rest = args[1..];
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                Console.WriteLine(Help.For(args[0]));
                return ExitCodes.Completed;
            }
            // Before anything touches torch: the GPU pack's build takes libtorch from STUDY_LIBTORCH_DIR.
            if (NativeLibTorch.Load() is { } missing) throw new UsageException(missing);
            if (NativeLibTorch.Notice is { } notice) Console.Error.WriteLine($"study: note: {notice}");
            // Before the telemetry providers read the OTEL_* variables: --dashboard starts the local dashboard, and a
            // running one receives this process's telemetry unless OTEL_* send it elsewhere.
            if (args[0] is "run" or "submit" or "resume" && rest.Contains("--dashboard"))
            {
                try { DashboardCommand.EnsureRunning(); }
                catch (DashboardCommand.DashboardStartException e) { Console.Error.WriteLine($"study: note: {e.Message}; going on without it"); }
            }
            if (args[0] is not "dashboard" && Grains.Hosting.LocalDashboard.Discover() is { } dashboard && args[0] is "run" or "submit" or "resume")
                Console.Error.WriteLine($"study: telemetry to the dashboard at {dashboard.LoginUrl}");
            // Where OTEL_EXPORTER_OTLP_ENDPOINT says so, the command is a span, and a study it starts joins its trace.
            using var telemetry = Grains.Hosting.ConsoleTelemetry.Start(ServiceName(args));
            using var span = Grains.Telemetry.StudyTelemetry.Source.StartActivity("study " + args[0], System.Diagnostics.ActivityKind.Client,
                parentContext: default, [new("study.command", args[0])]);
            return args[0] switch
            {
                "train" => TrainCommand.Run(rest, cancel),
                "bench" => BenchCommand.Run(rest, cancel),
                "devices" => DevicesCommand.Run(rest),
                "run" => RunCommand.Run(rest, cancel).GetAwaiter().GetResult(),
                "submit" => SubmitCommand.Run(rest).GetAwaiter().GetResult(),
                "watch" => WatchCommand.Run(rest, cancel).GetAwaiter().GetResult(),
                "list" => ListCommand.Run(rest).GetAwaiter().GetResult(),
                "show" => ShowCommand.Run(rest).GetAwaiter().GetResult(),
                "cancel" => CancelCommand.Run(rest).GetAwaiter().GetResult(),
                "resume" => ResumeCommand.Run(rest, cancel).GetAwaiter().GetResult(),
                "report" => ReportCommand.Run(rest).GetAwaiter().GetResult(),
                "compare" => CompareCommand.Run(rest).GetAwaiter().GetResult(),
                "dashboard" => DashboardCommand.Run(rest),
                _ => throw new UsageException($"unknown command '{args[0]}'{ClosestName.Hint(args[0], Help.Commands)}; see study --help"),
            };
        }

        /// <summary>study-embedded for a run or resume with its silo in this process, study-client for the rest.</summary>
        static string ServiceName(string[] args) =>
            args[0] is "run" or "resume" && !args.Any(a => a == "--cluster" || a.StartsWith("--cluster="))
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("STUDY_CLUSTER")) ? "study-embedded" : "study-client";
    }
}
