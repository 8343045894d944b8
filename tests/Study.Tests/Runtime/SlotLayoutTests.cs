using Microsoft.Extensions.Logging.Abstractions;
using Study.Grains.Scheduling;
using Study.Training.Trainer;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>Which device each slot trains on (docs/CLI.md, the silo), for machines with 0, 1 and 4 GPUs, and how a study's
/// <c>--device</c> meets a slot's device.</summary>
[Trait(Tier.Key, Tier.Fast)]
public class SlotLayoutTests
{
    [Fact]
    public void WithoutGpusEverySlotIsACpuSlotAndThereIsOneByDefault()
    {
        Assert.Equal(["cpu"], SlotLayout.For(gpus: 0, slots: null).Devices);
        Assert.Equal(["cpu"], SlotLayout.For(gpus: 0, slots: null, slotsPerGpu: 4).Devices);
        Assert.Equal(["cpu", "cpu", "cpu"], SlotLayout.For(gpus: 0, slots: 3).Devices);
        Assert.Empty(SlotLayout.For(gpus: 0, slots: 0).Devices);
    }

    [Fact]
    public void OneGpuTakesKSlots()
    {
        Assert.Equal(["cuda:0"], SlotLayout.For(gpus: 1, slots: null).Devices);
        Assert.Equal(["cuda:0", "cuda:0", "cuda:0", "cuda:0"], SlotLayout.For(gpus: 1, slots: null, slotsPerGpu: 4).Devices);
    }

    [Fact]
    public void FourGpusGetSlotIOnCudaIModFour()
    {
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3"], SlotLayout.For(gpus: 4, slots: null).Devices);
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3", "cuda:0", "cuda:1", "cuda:2", "cuda:3"],
            SlotLayout.For(gpus: 4, slots: null, slotsPerGpu: 2).Devices);
        Assert.Equal(["cuda:0", "cuda:1", "cuda:2", "cuda:3", "cuda:0", "cuda:1"], SlotLayout.For(gpus: 4, slots: 6).Devices);
    }

    [Fact]
    public void BadCountsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => SlotLayout.For(gpus: 1, slots: null, slotsPerGpu: 0));
        Assert.Throws<ArgumentException>(() => SlotLayout.For(gpus: 1, slots: -1));
    }

    [Fact]
    public void TrialsSpreadOverTheGpusBeforeAnyGpuTakesASecond()
    {
        using var pool = new SlotPool(SlotLayout.For(gpus: 2, slots: null, slotsPerGpu: 2), NullLogger<SlotPool>.Instance); // cuda:0, cuda:1, cuda:0, cuda:1
        var devices = new List<string>();
        using var hold = new ManualResetEventSlim(false);
        using var started = new CountdownEvent(4);
        for (int i = 0; i < 4; i++)
            Assert.True(pool.TryRun($"t{i}", slot =>
            {
                lock (devices) devices.Add(slot.Device);
                started.Signal();
                hold.Wait();
                return null;
            }));
        Assert.False(pool.TryRun("t4", _ => null)); // every slot busy
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        hold.Set();
        Assert.Equal(["cuda:0", "cuda:0", "cuda:1", "cuda:1"], devices.Order());
    }

    [Fact]
    public void TheFirstTwoTrialsOnTwoGpusTakeBothGpus()
    {
        using var pool = new SlotPool(SlotLayout.For(gpus: 2, slots: null, slotsPerGpu: 2), NullLogger<SlotPool>.Instance);
        var devices = new List<string>();
        using var hold = new ManualResetEventSlim(false);
        using var started = new CountdownEvent(2);
        for (int i = 0; i < 2; i++)
            pool.TryRun($"t{i}", slot => { lock (devices) devices.Add(slot.Device); started.Signal(); hold.Wait(); return null; });
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        hold.Set();
        Assert.Equal(["cuda:0", "cuda:1"], devices.Order());
    }

    [Theory]
    [InlineData("auto", "cuda:1", "cuda:1")]
    [InlineData("auto", "cpu", "cpu")]
    [InlineData("cuda", "cuda:2", "cuda:2")]
    [InlineData("cuda", "cpu", "cuda")]   // no GPU in this slot: resolving it fails with the --device message
    [InlineData("cpu", "cuda:0", "cpu")]
    [InlineData("cuda:0", "cuda:3", "cuda:0")]
    public void AStudysDeviceMeetsTheSlots(string requested, string slot, string expected) =>
        Assert.Equal(expected, TrainingDevice.ForSlot(requested, slot));

    [Theory]
    [InlineData("auto", DeviceKind.Auto, null)]
    [InlineData("cpu", DeviceKind.Cpu, null)]
    [InlineData("cuda", DeviceKind.Cuda, null)]
    [InlineData("cuda:3", DeviceKind.Cuda, 3)]
    public void DeviceNamesParse(string text, DeviceKind kind, int? index)
    {
        Assert.Equal(new DeviceChoice(kind, index), DeviceChoice.Parse(text));
        Assert.Equal(text, DeviceChoice.Parse(text).ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("CPU")]
    public void OtherDeviceNamesAreRefused(string text) =>
        Assert.Contains("--device must be auto, cpu, cuda or cuda:N", Assert.Throws<ArgumentException>(() => DeviceChoice.Parse(text)).Message);

    [Fact]
    public void CudaOnAMachineWithoutItIsRefusedInOneLine()
    {
        Assert.Equal(0, TrainingDevice.CudaDevices());
        var error = Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve("cuda:1")).Message;
        Assert.StartsWith("--device cuda:1: no CUDA device here", error);
        Assert.DoesNotContain('\n', error);
    }
}
