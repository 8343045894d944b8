using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Study.Grains.Running.Workers;

/// <summary>The silo's handle on one slot worker process: its pipes, and what it said on stderr last (for a death notice).</summary>
public sealed class WorkerProcess : IDisposable
{
    readonly Process process;
    readonly object writeGate = new();
    readonly Queue<string> lastErrors = new();
    readonly ILogger log;

    WorkerProcess(Process process, string device, ILogger log)
    {
        this.process = process;
        this.log = log;
        Device = device;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lock (lastErrors) { lastErrors.Enqueue(line); if (lastErrors.Count > 5) lastErrors.Dequeue(); }
            log.LogInformation("worker {Pid} ({Device}): {Line}", process.Id, device, line);
        };
        process.BeginErrorReadLine();
    }

    public string Device { get; }
    public int Id => process.Id;
    public bool Alive => !process.HasExited;

    /// <param name="command">the program and its arguments (<see cref="RuntimeOptions.WorkerCommand"/>)</param>
    public static WorkerProcess Start(IReadOnlyList<string> command, string device, ILogger log)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1)) info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{command[0]} did not start");
        log.LogInformation("slot worker {Pid} started for {Device}", process.Id, device);
        return new WorkerProcess(process, device, log);
    }

    /// <returns>false when the worker is gone</returns>
    public bool TrySend(string line)
    {
        try
        {
            lock (writeGate)
            {
                process.StandardInput.WriteLine(line);
                process.StandardInput.Flush();
            }
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { return false; }
    }

    /// <returns>the next line the worker wrote, or null when it has ended</returns>
    public string? ReadLine()
    {
        try { return process.StandardOutput.ReadLine(); }
        catch (IOException) { return null; }
    }

    /// <summary>Ends a worker that no longer answers (its pipes close, so a read waiting on it returns).</summary>
    public void Kill()
    {
        try { process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    /// <summary>"exit code 1" or "killed by signal 9", and its last words on stderr; waits briefly for it to end.</summary>
    public string DescribeEnd()
    {
        process.WaitForExit(5000);
        if (!process.HasExited) return "stopped answering";
        var code = process.ExitCode;
        var how = code > 128 ? $"killed by signal {code - 128}" : $"exit code {code}";
        lock (lastErrors) return lastErrors.Count == 0 ? how : $"{how}; it said: {string.Join(" / ", lastErrors)}";
    }

    public void Dispose()
    {
        try
        {
            lock (writeGate) process.StandardInput.Close(); // an idle worker ends when its input does
            if (!process.WaitForExit(2000)) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException) { }
        catch (Exception e) { log.LogDebug(e, "stopping worker {Pid}", process.Id); }
        process.Dispose();
    }
}
