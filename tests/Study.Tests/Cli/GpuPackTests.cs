using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>
/// A GPU node's path, tested on the CPU as the README explains it: <c>scripts/gpu-pack DIR</c> publishes the apps
/// without libtorch, with their own .NET runtime, and they train against a libtorch supplied from outside the app
/// folder (TorchSharp-cpu's from the NuGet cache stands in for a PyTorch install's torch/lib). The environment is
/// emptied, and NuGet's folder hidden, so that nothing but STUDY_LIBTORCH_DIR can supply libtorch.
/// </summary>
public sealed class GpuPackTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-gpupack-").FullName;
    string Pack => Path.Combine(dir, "pack");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void APackTrainsWithALibTorchFromOutsideAndSaysWhatIsMissing()
    {
        var built = Run("bash", [Path.Combine(StudyProcess.RepositoryRoot, "scripts", "gpu-pack"), Pack], environment: null);
        Assert.True(built.ExitCode == 0, built.Stderr);
        var natives = Directory.EnumerateFiles(Pack, "*.so*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.Contains("libLibTorchSharp.so", natives);
        Assert.DoesNotContain(natives, n => n!.StartsWith("libtorch") || n.StartsWith("libc10"));
        Assert.True(File.Exists(Path.Combine(Pack, "dotnet", "dotnet")), "the pack carries its .NET runtime");

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

        var silo = RunPack("silo", ["--help"], libtorch);
        Assert.True(silo.ExitCode == 0, silo.Stderr);
        Assert.Contains("--slots-per-gpu", silo.Stdout);
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

    StudyProcess.Result RunPack(string launcher, string[] args, string? libtorch)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = dir, ["PATH"] = "/usr/bin:/bin", ["NUGET_PACKAGES"] = Path.Combine(dir, "no-nuget"),
        };
        if (libtorch is not null) environment["STUDY_LIBTORCH_DIR"] = libtorch;
        return Run(Path.Combine(Pack, launcher), args, environment);
    }

    /// <param name="environment">the whole environment of the process (null: this process's)</param>
    StudyProcess.Result Run(string file, string[] args, Dictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (k, v) in environment) info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 8 minutes");
        }
        return new StudyProcess.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
