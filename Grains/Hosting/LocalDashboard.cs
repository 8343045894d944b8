using System.Diagnostics;
using System.Text.Json;

namespace Study.Grains.Hosting;

/// <summary>
/// The Aspire Dashboard that `study dashboard` started on this machine, as its state file records it: where its pages
/// and its OTLP receiver listen and the keys they take. The state file is the user's own (mode 0600, under
/// $XDG_DATA_HOME/study, else ~/.local/share/study); a dashboard whose process is gone counts as not running.
/// </summary>
public sealed record LocalDashboard(int Pid, string Url, string Token, string OtlpEndpoint, string OtlpKey, string ApiKey)
{
    /// <summary>The address that logs a browser in (the dashboard's browser-token login).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string LoginUrl => $"{Url}/login?t={Token}";

    public static string StateFolder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "study");
    public static string StateFile => Path.Combine(StateFolder, "dashboard.json");

    /// <summary>The dashboard the state file names, if its process still runs.</summary>
    public static LocalDashboard? Running()
    {
        LocalDashboard? recorded;
        try { recorded = JsonSerializer.Deserialize<LocalDashboard>(File.ReadAllText(StateFile)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException) { return null; }
        return recorded is not null && IsDashboardProcess(recorded.Pid) ? recorded : null;
    }

    public void Save()
    {
        Directory.CreateDirectory(StateFolder);
        File.WriteAllText(StateFile, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(StateFile, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the keys
        File.WriteAllText(StateFile, JsonSerializer.Serialize(this));
    }

    /// <summary>
    /// Points this process's OTLP export (and its children's) at the running dashboard, unless the OTEL_* variables
    /// already send it somewhere. Metrics go out every 5 s instead of every minute, so that its charts are live.
    /// </summary>
    /// <returns>the dashboard now exported to, or null</returns>
    public static LocalDashboard? Discover()
    {
        string[] endpoints = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];
        if (endpoints.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)))) return null;
        if (Running() is not { } dashboard) return null;
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", dashboard.OtlpEndpoint);
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_HEADERS", "x-otlp-api-key=" + dashboard.OtlpKey);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL")))
            Environment.SetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL", "5000");
        return dashboard;
    }

    /// <summary>Whether the process is an Aspire Dashboard (a recorded pid may since belong to another program).</summary>
    public static bool IsDashboardProcess(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && File.ReadAllText($"/proc/{pid}/cmdline").Contains("Aspire.Dashboard", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException) { return false; }
    }
}
