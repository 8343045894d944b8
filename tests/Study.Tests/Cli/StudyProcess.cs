using System.Diagnostics;

namespace Study.Tests.Cli;

/// <summary>Runs the built `study` console as a real process, the way users do.</summary>
public static class StudyProcess
{
    public static readonly string RepositoryRoot = FindRoot();

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(10), null, args);

    public static Result Run(TimeSpan timeout, string? workingDirectory, params string[] args) => Run(timeout, workingDirectory, null, args);

    public static Result Run(TimeSpan timeout, string? workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(RepositoryRoot, "Client", "bin", "Release", "net10.0", "study.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built: run ./test (it builds first)");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        // A dashboard the developer runs (./study dashboard) would receive every test's telemetry, and each `run` would
        // say so on stderr: the tests' commands look for it in a folder of their own unless a test sets one.
        info.Environment["XDG_DATA_HOME"] = IsolatedDataHome;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return RunToEnd(info, timeout);
    }

    /// <summary>Runs a program (study, ./silo) to its end and collects what it wrote; kills it after <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">it ran longer, with the end of its stderr</exception>
    public static Result RunToEnd(ProcessStartInfo info, TimeSpan timeout)
    {
        var name = Path.GetFileNameWithoutExtension(info.ArgumentList[0]);
        var args = info.ArgumentList.Skip(1);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            // What it had said by then, to see where it stood.
            throw new TimeoutException($"{name} {string.Join(' ', args)} did not finish in {timeout}; its stderr ended:\n" +
                string.Join('\n', stderr.Result.Split('\n').TakeLast(30)));
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    static readonly string IsolatedDataHome = Directory.CreateTempSubdirectory("study-tests-data-").FullName;

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Study.sln"))) return dir.FullName;
        throw new InvalidOperationException("Study.sln not found above the test assembly");
    }
}
