using System.Diagnostics;
using Study.Tests.Infrastructure;

namespace Study.Tests.Cli;

/// <summary>Runs the built `./silo` as a real process until it exits (help, or refusing bad settings).</summary>
public static class SiloProcess
{
    /// <param name="environment">its STUDY_* variables: none of the test's own are passed on</param>
    public static StudyProcess.Result Run(IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        info.ArgumentList.Add(ChildProcess.SiloDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("STUDY_", StringComparison.Ordinal)).ToList()) info.Environment.Remove(key);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return StudyProcess.RunToEnd(info, TimeSpan.FromSeconds(60));
    }
}
