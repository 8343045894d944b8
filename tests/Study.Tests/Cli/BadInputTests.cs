using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>Bad input of any kind: exit 2, exactly one line on stderr naming what is wrong, nothing written.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class BadInputTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-bad-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Out => Path.Combine(dir, "out");

    void AssertBadInput(string mentions, params string[] args) => AssertBadInputOf(mentions, [.. args, "--out", Out]);

    void AssertBadInputOf(string mentions, params string[] args)
    {
        var result = StudyProcess.Run(TimeSpan.FromMinutes(2), null, args);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}; stderr: {result.Stderr}");
        Assert.Single(result.StderrLines);
        Assert.Contains(mentions, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(Out), "a rejected command wrote its output folder");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("abc")]
    [InlineData("nan")]
    [InlineData("inf")]
    public void InvalidTau(string tau) => AssertBadInput("--tau", "train", "--dataset", "synthetic", "--tau", tau);

    [Theory]
    [InlineData("--dataset", "imagenet", "--dataset")]
    [InlineData("--encoder", "vgg", "--encoder")]
    [InlineData("--loss", "triplet", "--loss")]
    [InlineData("--negatives", "queue", "--negatives")]
    [InlineData("--optimizer", "rmsprop", "--optimizer")]
    public void UnknownNames(string option, string value, string mentions) =>
        AssertBadInput(mentions, "train", "--dataset", "synthetic", option, value);

    /// <summary>Issue 20's options: --hard-count, --projection-head and the collapse rule's.</summary>
    [Theory]
    [InlineData("--hard-count 0", "--hard-count", "--loss", "hard", "--hard-count", "0")]
    [InlineData("--hard-count for infonce", "--hard-count applies to the hard losses", "--hard-count", "5")]
    [InlineData("--hard-count over 2B − 2", "--hard-count 300 is more than the 254 batch negatives of --batch-size 128", "--loss", "hard",
        "--batch-size", "128", "--hard-count", "300")]
    [InlineData("--projection-head", "--projection-head", "--projection-head", "bn")]
    [InlineData("--collapse-check", "--collapse-check", "--collapse-check", "maybe")]
    [InlineData("floor with the check off", "--collapse-uniformity sets the collapse rule", "--collapse-check", "off", "--collapse-uniformity", "0.5")]
    [InlineData("negative floor", "--collapse-uniformity", "--collapse-uniformity", "-1")]
    [InlineData("ceiling above 1", "--collapse-tolerance", "--collapse-tolerance", "1.5")]
    public void BankAndCollapseOptions(string what, string mentions, params string[] options)
    {
        Assert.NotEmpty(what);
        AssertBadInput(mentions, ["train", "--dataset", "synthetic", .. options]);
        AssertBadInput(mentions, ["run", "--dataset", "synthetic", "--store", Path.Combine(dir, "studies.db"), .. options]);
        Assert.False(File.Exists(Path.Combine(dir, "studies.db")), "a rejected study was stored");
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void CudaWithoutAGpuIsBadInput(string device) =>
        AssertBadInput($"--device {device}: no CUDA device here", "train", "--dataset", "synthetic", "--device", device);

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:one")]
    public void AnUnknownDeviceIsBadInput(string device) =>
        AssertBadInput("--device must be auto, cpu, cuda or cuda:N", "train", "--dataset", "synthetic", "--device", device);

    [Fact]
    public void BenchOnCudaWithoutAGpuIsBadInput() =>
        AssertBadInputOf("--device cuda: no CUDA device here", "bench", "--dataset", "synthetic", "--device", "cuda");

    [Fact]
    public void ACloseMisspellingIsSuggested() =>
        AssertBadInput("did you mean 'infonce'", "train", "--dataset", "synthetic", "--loss", "infonse");

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "two")]
    [InlineData("--batch-size", "1")]
    [InlineData("--lr", "-1")]
    [InlineData("--hard-fraction", "1.5")]
    [InlineData("--subset", "1.5")]
    [InlineData("--threads", "0")]
    public void BadNumbers(string option, string value) =>
        AssertBadInput(option, "train", "--dataset", "synthetic", option, value);

    [Fact]
    public void SubsetLargerThanTheData() =>
        AssertBadInput("--subset", "train", "--dataset", "synthetic", "--subset", "999999");

    [Fact]
    public void UnknownOptionAndCommand()
    {
        AssertBadInput("--epoch", "train", "--epoch", "3");
        AssertBadInput("unknown command", "trian");
    }

    [Fact]
    public void MissingData() =>
        AssertBadInput(Path.Combine(dir, "none"), "train", "--dataset", "fashion-mnist", "--data-dir", Path.Combine(dir, "none"));

    [Fact]
    public void CorruptData()
    {
        var data = Directory.CreateDirectory(Path.Combine(dir, "fmnist")).FullName;
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(data, name), [0, 0, 8, 1, 0, 0, 0, 9]);
        AssertBadInput(data, "train", "--dataset", "fashion-mnist", "--data-dir", data);
    }

    [Fact]
    public void BadConfigFile()
    {
        var config = Path.Combine(dir, "study.json");
        File.WriteAllText(config, """{ "dataset": "synthetic", "epoch": 3 }""");
        AssertBadInput("did you mean 'epochs'", "train", "--config", config);
        File.WriteAllText(config, "{ not json");
        AssertBadInput("--config", "train", "--config", config);
        AssertBadInput($"--config {dir}: is a folder, not a file", "train", "--config", dir);
    }

    [Fact]
    public void BenchBadInput()
    {
        AssertBadInputOf("--steps", "bench", "--steps", "0");
        AssertBadInputOf("--out", "bench", "--out", Out);
    }
}
