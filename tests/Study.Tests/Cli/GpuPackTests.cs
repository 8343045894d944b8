using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>
/// A GPU node's path, tested on the CPU as the README explains it: <c>scripts/gpu-pack DIR</c> publishes the apps
/// without libtorch, with their own .NET runtime, and they train against a libtorch supplied from outside the app
/// folder (TorchSharp-cpu's from the NuGet cache stands in for a PyTorch install's torch/lib). The environment is
/// emptied, and NuGet's folder hidden, so that nothing but STUDY_LIBTORCH_DIR can supply libtorch.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GpuPackTests(PostgresServer postgres, GpuPackTests.BuiltPack pack) : IDisposable, IClassFixture<GpuPackTests.BuiltPack>
{
    readonly string dir = Directory.CreateTempSubdirectory("study-gpupack-").FullName;
    string Pack => pack.Folder;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void APackTrainsWithALibTorchFromOutsideAndSaysWhatIsMissing()
    {
        var missing = RunPack("study", ["train", "--dataset", "synthetic"], libtorch: null);
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.StderrLines);
        Assert.Contains("set STUDY_LIBTORCH_DIR", missing.Stderr);

        var empty = RunPack("study", ["train", "--dataset", "synthetic"], libtorch: dir);
        Assert.Equal(2, empty.ExitCode);
        Assert.Single(empty.StderrLines);
        Assert.Contains("libtorch.so", empty.Stderr);

        var libtorch = LibTorchOutsideTheApp();
        var cuda = RunPack("study", ["train", "--dataset", "synthetic", "--device", "cuda"], libtorch);
        Assert.Equal(2, cuda.ExitCode);
        Assert.Single(cuda.StderrLines);
        Assert.Contains("--device cuda: no CUDA device here", cuda.Stderr);

        var devices = RunPack("study", ["devices", "--json"], libtorch);
        Assert.True(devices.ExitCode == 0, devices.Stderr);
        using (var json = JsonDocument.Parse(devices.Stdout))
        {
            Assert.Equal(libtorch, json.RootElement.GetProperty("libtorch").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("gpu_memory").GetArrayLength()); // no NVIDIA driver here: no figure, not a 0
        }

        var trained = RunPack("study", ["train", "--dataset", "synthetic", "--epochs", "1", "--subset", "512", "--eval-subset", "200",
            "--json", "--out", Path.Combine(dir, "train")], libtorch);
        Assert.True(trained.ExitCode == 0, trained.Stderr);
        using (var entry = JsonDocument.Parse(trained.Stdout))
        {
            Assert.Equal("completed", entry.RootElement.GetProperty("status").GetString());
            Assert.Equal("cpu", entry.RootElement.GetProperty("device").GetString());
            Assert.InRange(entry.RootElement.GetProperty("metrics").GetProperty("uniformity").GetDouble(), 0, 4.1);
        }

        // A study through the embedded silo of the pack: the Orleans runtime works from the published folder too.
        var study = RunPack("study", ["run", "--dataset", "synthetic", "--taus", "0.3", "--epochs", "1", "--subset", "512",
            "--eval-subset", "200", "--store", Path.Combine(dir, "studies.db"), "--out", Path.Combine(dir, "study"), "--json"], libtorch);
        Assert.True(study.ExitCode == 0, study.Stderr);
        using (var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "study", "results.json"))))
            Assert.Equal("cpu", results.RootElement.GetProperty("trials")[0].GetProperty("device").GetString());
    }

    /// <summary>The README's cluster node: the pack's silo joins a PostgreSQL cluster and trains in a worker process
    /// started from the pack; the pack's console submits and watches.</summary>
    [Fact]
    public void APackSiloTrainsAClusterStudyInAWorkerProcess()
    {
        var libtorch = LibTorchOutsideTheApp();
        var connection = postgres.CreateDatabase();
        int metricsPort = FreePorts.Next();
        using var silo = Process.Start(Info("silo", ["--cluster", connection, "--slots", "1", "--slot-isolation", "process",
            "--silo-port", $"{FreePorts.Next()}", "--gateway-port", $"{FreePorts.Next()}", "--artifacts", Path.Combine(dir, "artifacts"),
            "--advertise", "127.0.0.1", "--metrics-port", $"{metricsPort}", "--name", "gpu-pack-silo"], libtorch))!;
        try
        {
            WaitHealthy(silo, metricsPort);
            var submit = RunPack("study", ["submit", "--cluster", connection, "--dataset", "synthetic", "--taus", "0.3",
                "--epochs", "1", "--subset", "512", "--eval-subset", "200"], libtorch);
            Assert.True(submit.ExitCode == 0, submit.Stderr);
            var id = submit.Stdout.Trim().Split('\n')[^1];
            var watched = RunPack("study", ["watch", id, "--cluster", connection, "--json", "--out", Path.Combine(dir, "cluster")], libtorch);
            Assert.True(watched.ExitCode == 0, watched.Stderr);
            using var results = JsonDocument.Parse(watched.Stdout);
            var trial = results.RootElement.GetProperty("trials")[0];
            Assert.Equal(("completed", "cpu"), (trial.GetProperty("status").GetString(), trial.GetProperty("device").GetString()));
            // The slot's worker (started from the pack, not from this machine's .NET) waits for the slot's next trial.
            var worker = Assert.Single(SlotWorkers.Of(silo.Id));
            Assert.Contains(Path.Combine(Pack, "app", "silo.dll"), File.ReadAllText($"/proc/{worker}/cmdline"));
        }
        finally
        {
            if (!silo.HasExited) { silo.Kill(entireProcessTree: true); silo.WaitForExit(10_000); }
        }
    }

    /// <summary>`scripts/gpu-pack` run once for the class: publishing the apps is most of each test's time.</summary>
    public sealed class BuiltPack : IDisposable
    {
        readonly string root = Directory.CreateTempSubdirectory("study-gpupack-build-").FullName;
        public string Folder => Path.Combine(root, "pack");

        public BuiltPack()
        {
            var built = Run(new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(StudyProcess.RepositoryRoot, "scripts", "gpu-pack"), Folder } });
            Assert.True(built.ExitCode == 0, built.Stderr);
            var natives = Directory.EnumerateFiles(Folder, "*.so*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
            Assert.Contains("libLibTorchSharp.so", natives);
            Assert.DoesNotContain(natives, n => n!.StartsWith("libtorch") || n.StartsWith("libc10"));
            Assert.True(File.Exists(Path.Combine(Folder, "dotnet", "dotnet")), "the pack carries its .NET runtime");
        }

        public void Dispose() => Directory.Delete(root, recursive: true);
    }

    /// <summary>TorchSharp-cpu's libtorch, outside the pack: the NuGet cache's copy.</summary>
    static string LibTorchOutsideTheApp()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var native = Directory.GetDirectories(Path.Combine(packages, "libtorch-cpu-linux-x64")).Order()
            .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native")).Last(Directory.Exists);
        Assert.True(File.Exists(Path.Combine(native, "libtorch.so")), native);
        return native;
    }

    /// <summary>A launcher of the pack, in an environment with nothing but a home, a plain PATH and STUDY_LIBTORCH_DIR.</summary>
    ProcessStartInfo Info(string launcher, string[] args, string? libtorch)
    {
        var info = new ProcessStartInfo(Path.Combine(Pack, launcher))
            { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Clear();
        info.Environment["HOME"] = dir;
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["NUGET_PACKAGES"] = Path.Combine(dir, "no-nuget");
        if (libtorch is not null) info.Environment["STUDY_LIBTORCH_DIR"] = libtorch;
        return info;
    }

    StudyProcess.Result RunPack(string launcher, string[] args, string? libtorch) => Run(Info(launcher, args, libtorch));

    static StudyProcess.Result Run(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish in 8 minutes");
        }
        return new StudyProcess.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    static void WaitHealthy(Process silo, int metricsPort)
    {
        // Drain the silo's output so that it never blocks on a full pipe.
        _ = silo.StandardOutput.ReadToEndAsync();
        var errors = silo.StandardError.ReadToEndAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            Assert.False(silo.HasExited, "the pack's silo exited: " + (silo.HasExited ? errors.Result : ""));
            try { if (http.GetAsync($"http://127.0.0.1:{metricsPort}/readyz").Result.StatusCode == HttpStatusCode.OK) return; }
            catch (Exception) { }
            Assert.True(DateTime.UtcNow < until, "the pack's silo never became healthy");
            Thread.Sleep(300);
        }
    }

}
