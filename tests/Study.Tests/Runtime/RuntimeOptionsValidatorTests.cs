using Study.Grains.Running;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>The runtime settings a silo refuses at start, and the copy AddStudyRuntime hands to the options system.</summary>
[Trait(Tier.Key, Tier.Fast)]
public class RuntimeOptionsValidatorTests
{
    static string[] Failures(RuntimeOptions options) =>
        [.. new RuntimeOptionsValidator().Validate(null, options).Failures ?? []];

    [Fact]
    public void TheDefaultsAndASilosSettingsPass()
    {
        Assert.Empty(Failures(new RuntimeOptions()));
        Assert.Empty(Failures(new RuntimeOptions { Slots = 0, Gpus = 2, ThreadsPerSlot = 1, Isolation = SlotIsolation.Process }));
    }

    [Fact]
    public void EachUnusableSettingIsNamed()
    {
        Assert.Contains(Failures(new RuntimeOptions { Slots = -1 }), f => f.StartsWith("Slots"));
        Assert.Contains(Failures(new RuntimeOptions { Gpus = -1 }), f => f.StartsWith("Gpus"));
        Assert.Contains(Failures(new RuntimeOptions { ThreadsPerSlot = 0 }), f => f.StartsWith("ThreadsPerSlot"));
        Assert.Contains(Failures(new RuntimeOptions { Artifacts = " " }), f => f.StartsWith("Artifacts"));
        Assert.Contains(Failures(new RuntimeOptions { Isolation = (SlotIsolation)7 }), f => f.StartsWith("Isolation"));
        Assert.Contains(Failures(new RuntimeOptions { Isolation = SlotIsolation.Process, WorkerCommand = [] }), f => f.StartsWith("WorkerCommand"));
        Assert.Contains(Failures(new RuntimeOptions { DrainTimeout = TimeSpan.Zero }), f => f.StartsWith("DrainTimeout"));
    }

    [Fact]
    public void TheCopyCarriesEverySetting()
    {
        var given = new RuntimeOptions
        {
            Slots = 3, Gpus = 1, ThreadsPerSlot = 2, Artifacts = "elsewhere", Isolation = SlotIsolation.Process,
            WorkerCommand = ["worker"], Credential = null, DrainTimeout = TimeSpan.FromSeconds(3),
        };
        var copy = new RuntimeOptions();
        given.CopyTo(copy);
        foreach (var setting in typeof(RuntimeOptions).GetProperties())
            Assert.Equal(setting.GetValue(given), setting.GetValue(copy));
        Assert.NotEqual(new RuntimeOptions().Credential, copy.Credential);
    }
}
