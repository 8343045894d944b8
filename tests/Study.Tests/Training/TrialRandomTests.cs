using System.Text.RegularExpressions;
using Study.Tests.Cli;
using Study.Training.Randomness;
using Study.Tests.Infrastructure;
using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>
/// Every random draw of a trial goes through <see cref="TrialRandom"/>, which draws on one CPU generator and moves
/// the numbers to their device: a CUDA draw with a CPU generator kills the process in TorchSharp 0.107.
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public class TrialRandomTests
{
    [Fact]
    public void NoProductCodeOutsideTrialRandomPassesAGeneratorToTorch()
    {
        var owner = Path.Combine("Grains", "Training", "Randomness", "TrialRandom.cs");
        var pattern = new Regex(@"\bGenerator\b|\bgenerator\s*:");
        var offenders = new[] { "Grains", "Client", "Silo" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(StudyProcess.RepositoryRoot, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj") && !f.Contains($"{Path.DirectorySeparatorChar}bin"))
            .Where(f => !f.EndsWith(owner, StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => !x.line.TrimStart().StartsWith("//") && !x.line.TrimStart().StartsWith("///") && pattern.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(StudyProcess.RepositoryRoot, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "random draws outside TrialRandom:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void DrawsAreThoseOfTheSeededCpuGenerator()
    {
        using var random = new TrialRandom(42);
        using var reference = new Generator(42);
        using var a = random.Uniform([3, 5], CPU);
        using var b = rand(new long[] { 3, 5 }, generator: reference);
        Assert.True(a.equal(b).all().item<bool>());
        using var c = random.Normal([4], CPU);
        using var d = randn(new long[] { 4 }, generator: reference);
        Assert.True(c.equal(d).all().item<bool>());
        using var e = randperm(10, generator: reference);
        Assert.Equal(e.data<long>().ToArray(), random.Permutation(10));
    }

    [Fact]
    public void TheStateRestoresTheStream()
    {
        using var random = new TrialRandom(7);
        using var _ = random.Uniform([100], CPU);
        using var state = random.State();
        using var next = random.Uniform([8], CPU);
        var order = random.Permutation(20);
        using var again = new TrialRandom(999);
        again.Restore(state);
        using var replayed = again.Uniform([8], CPU);
        Assert.True(next.equal(replayed).all().item<bool>());
        Assert.Equal(order, again.Permutation(20));
    }

    [Fact]
    public void DrawsLandOnTheDeviceAskedForWithTheirType()
    {
        using var random = new TrialRandom(1);
        using var u = random.Uniform([2, 2], CPU, ScalarType.Float64);
        Assert.Equal((DeviceType.CPU, ScalarType.Float64), (u.device_type, u.dtype));
        using var i = random.Integers(10, [50], CPU);
        Assert.Equal(ScalarType.Int64, i.dtype);
        Assert.InRange(i.max().item<long>(), 0, 9);
    }
}
