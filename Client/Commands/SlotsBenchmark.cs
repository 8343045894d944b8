using System.Diagnostics;
using Study.Client.Cli;
using System.Text.Json;
using Study.Grains.Hosting;
using Study.Grains.Running;
using Study.Grains.Storage;

namespace Study.Client.Commands;

/// <summary>
/// <c>study bench --slots K</c>: K copies of the training step's loop at once on one device, as K slots of a silo run
/// them — threads of this process, or a process each — all timed from one start after their warm-ups. The figure
/// that says whether more slots per GPU pay: total images/s against one slot's.
/// </summary>
public static class SlotsBenchmark
{
    public const string Ready = "ready";

    public sealed record Result(int Slots, string Isolation, string Device, int BatchSize, int Steps, int Threads,
        double ImagesPerSecond, IReadOnlyList<double> PerSlot);

    public static int InThreads(int slots, Func<Action, BenchCommand.Result> measure, bool json, CancellationToken cancel)
    {
        using var start = new Barrier(slots);
        var results = new BenchCommand.Result[slots];
        var threads = Enumerable.Range(0, slots).Select(i => new Thread(() => results[i] = measure(() => start.SignalAndWait()))
            { IsBackground = true, Name = $"bench-slot-{i}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var first = results[0];
        return Print(new Result(slots, "thread", first.Device, first.BatchSize, first.Steps, first.Threads,
            results.Sum(r => r.ImagesPerSecond), [.. results.Select(r => r.ImagesPerSecond)]), json, cancel);
    }

    /// <param name="options">the options each process gets besides --barrier and --json</param>
    public static int InProcesses(int slots, IEnumerable<string> options, bool json, CancellationToken cancel)
    {
        List<string> childArgs = [.. options];
        childArgs.AddRange([BenchCommand.Barrier.Name, CommonOptions.Json.Name]);
        var children = Enumerable.Range(0, slots).Select(_ => Start(childArgs)).ToList();
        try
        {
            foreach (var child in children)
                if (child.StandardOutput.ReadLine() != Ready)
                    throw new UsageException($"a benchmark process failed before its warm-up ended: {child.StandardError.ReadToEnd().Trim()}");
            foreach (var child in children) child.StandardInput.WriteLine("go");
            var results = children.Select(c =>
            {
                var line = c.StandardOutput.ReadLine() ?? throw new UsageException($"a benchmark process failed: {c.StandardError.ReadToEnd().Trim()}");
                return JsonSerializer.Deserialize<BenchCommand.Result>(line, StudyJson.Compact)!;
            }).ToList();
            var first = results[0];
            return Print(new Result(slots, "process", first.Device, first.BatchSize, first.Steps, first.Threads,
                results.Sum(r => r.ImagesPerSecond), [.. results.Select(r => r.ImagesPerSecond)]), json, cancel);
        }
        finally
        {
            foreach (var child in children)
            {
                if (!child.WaitForExit(10_000)) child.Kill(entireProcessTree: true);
                child.Dispose();
            }
        }
    }

    static Process Start(IEnumerable<string> args)
    {
        var command = RuntimeOptions.ThisProgram();
        var info = new ProcessStartInfo(command[0])
            { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1).Append("bench").Concat(args)) info.ArgumentList.Add(argument);
        return Process.Start(info)!;
    }

    static int Print(Result result, bool json, CancellationToken cancel)
    {
        if (json) Console.WriteLine(StudyJson.Serialize(result, indented: false));
        else Console.WriteLine($"{Numbers.Fixed(result.ImagesPerSecond, 0)} images/s in all from {result.Slots} slots ({result.Isolation}s) on {result.Device}: " +
                               string.Join(", ", result.PerSlot.Select(x => Numbers.Fixed(x, 0))));
        return cancel.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Completed;
    }
}
