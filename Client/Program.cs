using System.CommandLine;
using System.CommandLine.Invocation;
using Study.Client;
using Study.Client.Cli;
using Study.Client.Commands;
using Study.Training.Data;
using Study.Grains.Hosting;
using Study.Training.Native;

return StudyProgram.Run(args);

namespace Study.Client
{
    /// <summary>The <c>study</c> console: its commands and exit statuses are docs/CLI.md's.</summary>
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

        /// <summary>Exceptions reach <see cref="Run"/>; Ctrl-C is this program's (<see cref="Progress.ConsoleInterrupt"/>).</summary>
        static readonly InvocationConfiguration Invocation = new() { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };

        static int Dispatch(string[] args, CancellationToken cancel)
        {
            if (args.Length == 0)
            {
                Console.WriteLine(StudyCommandLine.Overview);
                return ExitCodes.BadInput;
            }
            var parsed = StudyCommandLine.Read(args);
            var parse = parsed.Parse;
            var problem = StudyCommandLine.Problem(parsed);
            if (parse.Action is not ParseErrorAction && !(parse.RunsCommand() && parse.CommandResult.Command is StudyCommand))
            {
                // --help, `help` or [suggest]: an unknown command's help is bad input.
                if (parse.Action is CommandLineHelp.Action && parse.CommandResult.Command is RootCommand && problem is not null) throw new UsageException(problem);
                return parse.Invoke(Invocation);
            }
            if (problem is not null) throw new UsageException(problem);
            var command = parse.CommandResult.Command.Name;
            // Before anything touches torch: the GPU pack's build takes libtorch from STUDY_LIBTORCH_DIR.
            if (NativeLibTorch.Load() is { } missing) throw new UsageException(missing);
            if (NativeLibTorch.Notice is { } notice) Console.Error.WriteLine($"study: note: {notice}");
            // Before the telemetry providers read the OTEL_* variables: --dashboard starts the local dashboard, and a
            // running one receives this process's telemetry unless OTEL_* send it elsewhere.
            if (parse.GetValue(CommonOptions.Dashboard))
            {
                try { DashboardCommand.EnsureRunning(); }
                catch (DashboardCommand.DashboardStartException e) { Console.Error.WriteLine($"study: note: {e.Message}; going on without it"); }
            }
            if (command is "run" or "submit" or "resume" && Grains.Hosting.LocalDashboard.Discover() is { } dashboard)
                Console.Error.WriteLine($"study: telemetry to the dashboard at {dashboard.LoginUrl}");
            // Where OTEL_EXPORTER_OTLP_ENDPOINT says so, the command is a span, and a study it starts joins its trace.
            using var telemetry = Grains.Hosting.ConsoleTelemetry.Start(ServiceName(parse));
            using var span = Grains.Telemetry.StudyTelemetry.Source.StartActivity("study " + command, System.Diagnostics.ActivityKind.Client,
                parentContext: default, [new("study.command", command)]);
            return parse.InvokeAsync(Invocation, cancel).GetAwaiter().GetResult();
        }

        /// <summary>study-embedded for a run or resume with its silo in this process, study-client for the rest.</summary>
        static string ServiceName(ParseResult parse) =>
            parse.CommandResult.Command.Name is "run" or "resume" && Connection.StudyStores.ClusterOf(parse) is null ? "study-embedded" : "study-client";
    }
}
