using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Study.Client.Cli;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>
/// `study dashboard`: the standalone Aspire Dashboard (from its NuGet package, which the build downloads) on loopback,
/// in the background: its pages behind a browser-token login, its OTLP receiver behind a key. While it runs, `study`
/// commands and silos started on this machine send it their traces, metrics and logs (<see cref="LocalDashboard"/>).
/// </summary>
public static class DashboardCommand
{
    public const int DefaultPort = 18888;
    static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    static readonly Option<int> Port = TypedOptions.Int("--port", "its pages' port on 127.0.0.1; OTLP/gRPC listens on PORT+1, OTLP/HTTP on PORT+2",
        DefaultPort, min: 1, max: 65533, helpName: "PORT");
    static readonly Option<bool> StopOption = TypedOptions.Flag("--stop", "stop the dashboard this machine runs");

    public static StudyCommand Declaration { get; } = new StudyCommand("dashboard", "dashboard [options]",
        "Starts the Aspire Dashboard on this machine, in the background, and prints its login address: while it runs, `study` " +
        "commands and silos started here send it their traces, metrics and logs (unless OTEL_* variables send them elsewhere).",
        ["./study dashboard", "./study run --dashboard", "./study dashboard --stop"], [Port, StopOption])
        .WithAction((parse, _) => Run(parse));

    static int Run(ParseResult parse)
    {
        if (parse.GetValue(StopOption))
        {
            if (parse.Given(Port)) throw new UsageException("study dashboard: give --stop or --port, not both");
            Console.WriteLine(Stop() ? "dashboard: stopped" : "dashboard: none was running");
            return ExitCodes.Completed;
        }
        LocalDashboard dashboard;
        try { dashboard = EnsureRunning(parse.GetValue(Port)); }
        catch (DashboardStartException e)
        {
            Console.Error.WriteLine($"study dashboard: {e.Message}");
            return ExitCodes.Failed;
        }
        Console.WriteLine($"dashboard: {dashboard.LoginUrl}");
        Console.WriteLine($"OTLP: {dashboard.OtlpEndpoint} (gRPC; ./study and ./silo on this machine send to it while it runs)");
        Console.WriteLine("stop it with: ./study dashboard --stop");
        return ExitCodes.Completed;
    }

    /// <summary>The running dashboard, or a new one on <paramref name="port"/>.</summary>
    public static LocalDashboard EnsureRunning(int port)
    {
        if (LocalDashboard.Running() is { } running) return running;
        foreach (var p in new[] { port, port + 1, port + 2 })
            if (!IsFree(p)) throw new UsageException($"study dashboard: port {p} on 127.0.0.1 is in use; give another --port");
        return Start(port);
    }

    /// <summary>For `run --dashboard`: the running dashboard, or a new one on the first of the default port and the
    /// nine triples after it that is free.</summary>
    public static LocalDashboard EnsureRunning()
    {
        if (LocalDashboard.Running() is { } running) return running;
        var ports = Enumerable.Range(0, 10).Select(i => DefaultPort + 3 * i);
        var port = ports.FirstOrDefault(p => IsFree(p) && IsFree(p + 1) && IsFree(p + 2));
        return port > 0 ? Start(port)
            : throw new DashboardStartException($"ports {DefaultPort} to {DefaultPort + 29} on 127.0.0.1 are in use; start one with ./study dashboard --port PORT");
    }

    static LocalDashboard Start(int port)
    {
        var executable = Executable();
        string Key() => RandomNumberGenerator.GetHexString(32, lowercase: true);
        var dashboard = new LocalDashboard(0, $"http://127.0.0.1:{port}", Key(), $"http://127.0.0.1:{port + 1}", Key(), Key());
        Directory.CreateDirectory(LocalDashboard.StateFolder);
        var log = Path.Combine(LocalDashboard.StateFolder, "dashboard.log");
        // Detached (its own session, output to a file): it outlives this command, and holds no pipe of its caller open.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, WorkingDirectory = Path.GetDirectoryName(executable)! };
        foreach (var arg in new[] { "-c", "setsid \"$0\" >>\"$1\" 2>&1 </dev/null & echo $!", executable, log }) start.ArgumentList.Add(arg);
        foreach (var (name, value) in Settings(dashboard, port)) start.Environment[name] = value;
        using var shell = Process.Start(start)!;
        var pid = int.Parse(shell.StandardOutput.ReadToEnd().Trim());
        shell.WaitForExit();
        dashboard = dashboard with { Pid = pid };
        WaitUntilServing(dashboard, port, log);
        dashboard.Save();
        return dashboard;
    }

    static IEnumerable<(string, string)> Settings(LocalDashboard d, int port) =>
    [
        ("ASPNETCORE_URLS", d.Url),
        ("ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", d.OtlpEndpoint),
        ("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", $"http://127.0.0.1:{port + 2}"),
        ("Dashboard__Frontend__AuthMode", "BrowserToken"),
        ("Dashboard__Frontend__BrowserToken", d.Token),
        ("Dashboard__Otlp__AuthMode", "ApiKey"),
        ("Dashboard__Otlp__PrimaryApiKey", d.OtlpKey),
        ("Dashboard__Api__Enabled", "true"),
        ("Dashboard__Api__AuthMode", "ApiKey"),
        ("Dashboard__Api__PrimaryApiKey", d.ApiKey),
    ];

    /// <exception cref="DashboardStartException">it exited, or did not listen in time</exception>
    static void WaitUntilServing(LocalDashboard dashboard, int port, string log)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.GetProcessById(dashboard.Pid);
        // Its process may still be the shell's setsid for a moment (before it becomes the dashboard): only its exit counts.
        while (clock.Elapsed < StartDeadline && !process.HasExited)
        {
            if (!IsFree(port)) return;
            Thread.Sleep(250);
        }
        var what = process.HasExited ? "exited before it listened" : $"did not listen on port {port} in {Numbers.Fixed(StartDeadline.TotalSeconds, 0)} s";
        try { process.Kill(); } catch (InvalidOperationException) { }
        var last = File.Exists(log) ? File.ReadLines(log).TakeLast(5) : [];
        throw new DashboardStartException($"the dashboard {what}; the end of {log}:\n{string.Join('\n', last)}");
    }

    /// <summary>The dashboard's process ended, or did not listen in time: not bad input, but no dashboard.</summary>
    public sealed class DashboardStartException(string message) : Exception(message);

    public static bool Stop()
    {
        if (LocalDashboard.Running() is not { } running) return false;
        using (var process = Process.GetProcessById(running.Pid))
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
        File.Delete(LocalDashboard.StateFile);
        return true;
    }

    /// <summary>The dashboard's program in the NuGet packages folder (Client.csproj downloads it at restore).</summary>
    static string Executable()
    {
        var version = typeof(DashboardCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(m => m.Key == "AspireDashboardVersion").Value!;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            throw new UsageException("study dashboard: the dashboard's package here is for Linux x64 only");
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "aspire.dashboard.sdk.linux-x64", version, "tools", "Aspire.Dashboard");
        return File.Exists(path) ? path
            : throw new UsageException($"study dashboard: {path} is missing; ./study installs it (dotnet restore downloads Aspire.Dashboard.Sdk.linux-x64 {version})");
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }
}
