using System.Diagnostics;

namespace Study.Tests.Infrastructure;

/// <summary>A command in a real pseudo-terminal (a detached tmux session on its own server socket), whose screen
/// the test reads and to which it sends keys.</summary>
public sealed class TmuxSession : IDisposable
{
    readonly string socket = $"study-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40];
    const string Name = "live";

    /// <param name="command">a shell command; its exit status is written to <paramref name="exitFile"/></param>
    public TmuxSession(string command, string workingDirectory, string exitFile, int width = 120, int height = 45)
    {
        Tmux("new-session", "-d", "-s", Name, "-x", width.ToString(), "-y", height.ToString(), "-c", workingDirectory,
            $"{command}; echo $? > {exitFile}; sleep 600");
    }

    public string Screen() => Tmux("capture-pane", "-p", "-t", Name);

    public void SendKeys(params string[] keys) => Tmux(["send-keys", "-t", Name, .. keys]);

    string Tmux(params string[] args)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(socket);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {error}");
        return output;
    }

    public void Dispose()
    {
        try { Tmux("kill-server"); } catch (InvalidOperationException) { }
    }
}
