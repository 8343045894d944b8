using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Study.Tests.Infrastructure;

/// <summary>A long-running child process (a `study` or a `./silo`) whose output is collected, and that can be signalled.</summary>
public sealed class ChildProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder stdout = new(), stderr = new();
    readonly List<(DateTime At, string Line)> stdoutLines = [];

    /// <param name="launcher">words that run the program (e.g. <c>ip netns exec NS</c>, which execs it: the pid stays its)</param>
    public ChildProcess(string dll, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null,
        IReadOnlyList<string>? launcher = null)
    {
        var info = new ProcessStartInfo(launcher is [var first, ..] ? first : "dotnet")
            { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        if (launcher is { Count: > 0 })
        {
            foreach (var word in launcher.Skip(1)) info.ArgumentList.Add(word);
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        process = Process.Start(info)!;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ExitedAt ??= DateTime.UtcNow;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) { stdout.AppendLine(e.Data); stdoutLines.Add((DateTime.UtcNow, e.Data)); }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string StudyDll => Path.Combine(Cli.StudyProcess.RepositoryRoot, "Client", "bin", "Release", "net10.0", "study.dll");
    public static string SiloDll => Path.Combine(Cli.StudyProcess.RepositoryRoot, "Silo", "bin", "Release", "net10.0", "silo.dll");

    public int Id => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;
    /// <summary>When this process saw it end (null while it runs).</summary>
    public DateTime? ExitedAt { get; private set; }
    public string Stdout { get { lock (stdout) return stdout.ToString(); } }
    /// <summary>Each line of stdout with when this process read it (the order of events across processes).</summary>
    public IReadOnlyList<(DateTime At, string Line)> StdoutLines { get { lock (stdout) return stdoutLines.ToList(); } }
    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    public void Signal(int signal)
    {
        if (kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed");
    }

    public void KillHard() => Signal(9);

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit(); // drains the output
        return true;
    }

    public void Dispose()
    {
        if (!process.HasExited) { try { process.Kill(entireProcessTree: true); process.WaitForExit(5000); } catch { } }
        process.Dispose();
    }

    [DllImport("libc")]
    static extern int kill(int pid, int signal);
}
