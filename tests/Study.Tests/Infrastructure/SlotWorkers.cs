namespace Study.Tests.Infrastructure;

/// <summary>The slot worker processes (<c>__slot-worker</c>) of a silo or an embedded run, found in /proc.</summary>
public static class SlotWorkers
{
    public static IReadOnlyList<int> Of(int parentPid) =>
        [.. Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && IsWorker(pid) && ParentOf(pid) == parentPid)];

    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}") && IsWorker(pid);

    static bool IsWorker(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains("__slot-worker"); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    static int ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return 0; }
    }
}
