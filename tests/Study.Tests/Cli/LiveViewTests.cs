using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>The live view of `study run` in a real terminal (tmux): every trial with its progress while it trains,
/// at most 100 columns, and Ctrl-C asking whether to cancel or to detach.</summary>
public sealed class LiveViewTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-live-").FullName;
    string Store => Path.Combine(dir, "studies.db");
    string ExitFile => Path.Combine(dir, "exit");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string RunCommand(string extra, string isolation = "thread", string taus = "0.1,0.3,1.0") =>
        $"STUDY_SLOT_ISOLATION={isolation} dotnet {ChildProcess.StudyDll} run --dataset synthetic --taus {taus} --batch-size 128 --eval-subset 300 " +
        $"--store {Store} --out {Path.Combine(dir, "out")} {extra}";

    [Fact]
    public void ShowsEveryTrialWithItsProgressWhileTraining()
    {
        using var tmux = new TmuxSession(RunCommand("--subset 4096 --epochs 2"), dir, ExitFile);
        var midway = new HashSet<string>();
        var screens = new List<string>();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(ExitFile) && clock.Elapsed < TimeSpan.FromMinutes(4))
        {
            var screen = tmux.Screen();
            screens.Add(screen);
            // A trial row while it trains: "0.3  running  127.0.0.1:…  cpu  ━━━━───── 1/2  37% 0:12"
            foreach (Match m in Regex.Matches(screen, @"^\s*(0\.1|0\.3|1)\s+running\s+\S+\s+cpu\s+\S+\s+[12]/2\s+(\d+)%", RegexOptions.Multiline))
                if (int.Parse(m.Groups[2].Value) is > 0 and < 100) midway.Add(m.Groups[1].Value);
            Thread.Sleep(250);
        }
        Assert.True(File.Exists(ExitFile), "study run did not end in 4 minutes:\n" + screens.LastOrDefault());
        Assert.Equal("0", File.ReadAllText(ExitFile).Trim());
        Assert.Equal(["0.1", "0.3", "1"], midway.Order());
        var last = screens.Last(s => s.Contains("images/s"));
        Assert.Contains("search grid, pruner none", last);
        Assert.Matches(new Regex(@"best τ \S+ linear_accuracy [01]\.\d{3}"), last);
        Assert.Matches(new Regex(@"^\s*1\s+completed\s", RegexOptions.Multiline), last);
        // The live view's lines (not the messages that name the store's path, nor the summary printed at the end).
        var widest = screens.Where(s => !s.Contains("output: ")).SelectMany(s => s.Split('\n'))
            .Where(l => !l.StartsWith("study ", StringComparison.Ordinal)).Max(l => l.TrimEnd().Length);
        Assert.True(widest <= 100, $"a line of the live view is {widest} columns wide");
    }

    /// <summary>With worker processes, Ctrl-C reaches them too (the terminal signals the whole process group): they
    /// must leave the decision to the study process, and checkpoint when it detaches. Two trials, one at a time: the
    /// resume finishes the interrupted one from its checkpoint and starts the queued one.</summary>
    [Theory]
    [InlineData("thread")]
    [InlineData("process")]
    public void CtrlCAsksThenDetachesAndResumeCompletes(string isolation)
    {
        using var tmux = new TmuxSession(RunCommand("--subset 6000 --epochs 2 --parallel 1", isolation, taus: "0.1,1.0"), dir, ExitFile);
        WaitFor(tmux, s => Regex.IsMatch(s, @"running\s+\S+\s+cpu\s+\S+\s+1/2\s+\d+%"), "a running trial");
        tmux.SendKeys("C-c");
        WaitFor(tmux, s => s.Contains("press c to cancel the study, d to detach"), "the question");
        tmux.SendKeys("x"); // any other key: go on
        WaitFor(tmux, s => !s.Contains("press c to cancel"), "the question to go away");
        tmux.SendKeys("C-c");
        WaitFor(tmux, s => s.Contains("press c to cancel the study, d to detach"), "the question again");
        tmux.SendKeys("d");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(ExitFile) && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(200);
        Assert.Equal("130", File.ReadAllText(ExitFile).Trim());
        Assert.Contains("detached", tmux.Screen());

        var id = Regex.Match(tmux.Screen(), @"study-\d{8}-\d{6}-[0-9a-f]{8}").Value;
        using (var shown = JsonDocument.Parse(StudyProcess.Run("show", id, "--json", "--store", Store).Stdout))
            Assert.Equal("running", shown.RootElement.GetProperty("status").GetString());
        var resumed = StudyProcess.Run(TimeSpan.FromMinutes(5), dir, "resume", id, "--store", Store, "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        using var results = JsonDocument.Parse(resumed.Stdout);
        Assert.Equal("completed", results.RootElement.GetProperty("status").GetString());
        var trials = results.RootElement.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal("completed", t.GetProperty("status").GetString()));
        Assert.Contains(trials, t => t.GetProperty("attempts").GetInt32() == 2); // the one detached mid-epoch, resumed
    }

    [Fact]
    public void CtrlCThenCCancelsTheStudy()
    {
        using var tmux = new TmuxSession(RunCommand("--subset 6000 --epochs 3 --parallel 1"), dir, ExitFile);
        WaitFor(tmux, s => Regex.IsMatch(s, @"running\s+\S+\s+cpu\s+\S+\s+1/3\s+\d+%"), "a running trial");
        tmux.SendKeys("C-c");
        WaitFor(tmux, s => s.Contains("press c to cancel the study, d to detach"), "the question");
        tmux.SendKeys("c");
        WaitFor(tmux, s => s.Contains("cancelling: running trials stop at their next step") || File.Exists(ExitFile), "the cancel");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(ExitFile) && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(200);
        Assert.Equal("130", File.ReadAllText(ExitFile).Trim());
        var id = Regex.Match(tmux.Screen(), @"study-\d{8}-\d{6}-[0-9a-f]{8}").Value;
        using var shown = JsonDocument.Parse(StudyProcess.Run("show", id, "--json", "--store", Store).Stdout);
        Assert.Equal("cancelled", shown.RootElement.GetProperty("status").GetString());
        Assert.Contains(shown.RootElement.GetProperty("trials").EnumerateArray(), t => t.GetProperty("status").GetString() == "cancelled");
    }

    static void WaitFor(TmuxSession tmux, Func<string, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        string screen = "";
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            screen = tmux.Screen();
            if (condition(screen)) return;
            Thread.Sleep(200);
        }
        throw new TimeoutException($"waited 2 minutes for {what}; the screen:\n{screen}");
    }
}
