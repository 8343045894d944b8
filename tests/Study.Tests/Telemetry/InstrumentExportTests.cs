using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Study.Grains;
using Study.Grains.Scheduling;
using Study.Grains.Telemetry;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Telemetry;

/// <summary>
/// The "Study" meter through OpenTelemetry's SDK pipeline into its in-memory exporter (the pipeline OTLP export
/// uses; the Prometheus side is DashboardMetricsTests'): names, units, attributes, and per-trial series that end
/// with their trial.
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class InstrumentExportTests
{
    [Fact]
    public void EveryInstrumentExportsWithItsUnitAndAttributesAndATrialsSeriesEndWithIt()
    {
        var exported = new List<Metric>();
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton(new SlotPool(SlotLayout.For(gpus: 0, slots: 2), NullLogger<SlotPool>.Instance));
        services.AddSingleton<StudyMetrics>();
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(StudyTelemetry.Name).AddInMemoryExporter(exported));
        using var provider = services.BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        var metrics = provider.GetRequiredService<StudyMetrics>();

        var trial = new TrialSpec("s1", "t0-tau0.2-seed1", 0, 0.2, 1);
        var reading = metrics.TrialStarted(trial);
        reading.Loss = 4.5;
        reading.Objective = 0.7;
        metrics.SetStudyProgress("s1", new(new Dictionary<string, int> { ["running"] = 1, ["queued"] = 2, ["completed"] = 0 }, EpochsDone: 3, EpochsLeft: 17));
        metrics.EpochCompleted(0);
        metrics.TrainingImages.Add(1280, StudyMetrics.SlotTags(new SlotReading(0, "cpu", true, 0)));
        metrics.ProposalDuration.Record(0.002, new KeyValuePair<string, object?>("search", "adaptive"));
        metrics.StoreWriteDuration.Record(0.01, new KeyValuePair<string, object?>("operation", "record_epoch"));
        metrics.Restarts.Add(1);
        meterProvider.ForceFlush();

        var byName = exported.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());
        (string Name, string Unit)[] expected =
        [
            ("study.trials", "{trial}"), ("study.epochs.done", "{epoch}"), ("study.epochs.left", "{epoch}"), ("study.epochs", "{epoch}"), ("study.training.images", "{image}"), ("study.slots", "{slot}"),
            ("study.slot.busy", "{slot}"), ("study.slot.busy.time", "s"), ("study.proposal.duration", "s"),
            ("study.store.write.duration", "s"), ("study.trial.restarts", "{restart}"), ("study.trial.loss", ""), ("study.trial.objective", ""),
        ];
        foreach (var (name, unit) in expected)
        {
            Assert.True(byName.ContainsKey(name), $"{name} was not exported");
            Assert.Equal(unit, byName[name].Unit ?? "");
        }
        // Uniformity and tolerance are not known yet: no series until the first epoch says them.
        Assert.False(byName.ContainsKey("study.trial.uniformity"));
        var loss = Points(byName["study.trial.loss"]);
        var point = Assert.Single(loss);
        Assert.Equal(4.5, point.GetGaugeLastValueDouble());
        Assert.Equal(new Dictionary<string, object?> { ["study"] = "s1", ["trial"] = "t0-tau0.2-seed1", ["tau"] = "0.2", ["seed"] = 1L }, Tags(point));
        var states = Points(byName["study.trials"]).ToDictionary(p => (string)Tags(p)["state"]!, p => p.GetGaugeLastValueLong());
        // Every state has a series, 0 where no trial is in it: a chart shows 0, not "no data".
        Assert.Equal(new Dictionary<string, long>
        {
            ["queued"] = 2, ["running"] = 1, ["paused"] = 0, ["completed"] = 0, ["pruned"] = 0, ["collapsed"] = 0, ["failed"] = 0, ["cancelled"] = 0,
        }, states);
        Assert.Equal(3, Assert.Single(Points(byName["study.epochs.done"])).GetGaugeLastValueLong());
        Assert.Equal(17, Assert.Single(Points(byName["study.epochs.left"])).GetGaugeLastValueLong());
        Assert.Equal(2, Points(byName["study.slot.busy"]).Count);
        // CPU slots have no GPU memory: no series at all, rather than a 0 that reads as an empty GPU.
        Assert.True(!byName.TryGetValue("study.gpu.memory.usage", out var gpu) || Points(gpu).Count == 0);

        metrics.TrialEnded(trial, reading);
        metrics.ForgetStudy("s1");
        exported.Clear();
        meterProvider.ForceFlush();
        var after = exported.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());
        Assert.True(!after.TryGetValue("study.trial.loss", out var ended) || Points(ended).Count == 0, "the ended trial's loss series is still exported");
        Assert.True(!after.TryGetValue("study.trials", out var forgotten) || Points(forgotten).Count == 0, "the forgotten study's trial counts are still exported");
    }

    /// <summary>The driver's device numbers behind a process's CUDA device numbers (NVML ignores CUDA_VISIBLE_DEVICES).</summary>
    [Theory]
    [InlineData(1, null, 1)]
    [InlineData(1, "", 1)]
    [InlineData(0, "2,3", 2)]
    [InlineData(1, "2, 3", 3)]
    [InlineData(2, "2,3", null)]
    [InlineData(0, "GPU-8d5c1a2e", null)]
    public void AGpusMemoryIsReadForTheDeviceTheProcessSees(int index, string? visible, int? physical) =>
        Assert.Equal(physical, GpuMemory.PhysicalIndex(index, visible));

    /// <summary>On a machine without the NVIDIA driver (this one) a GPU slot's memory is not known: no figure.</summary>
    [Fact]
    public void WithoutTheNvidiaDriverNoGpuMemoryIsMade()
    {
        if (File.Exists("/dev/nvidiactl")) return; // a GPU machine: bench/gpu-check's `study devices` shows its figures
        Assert.Null(GpuMemory.Read(0));
    }

    static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var p in metric.GetMetricPoints()) points.Add(p);
        return points;
    }

    static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var tag in point.Tags) tags[tag.Key] = tag.Value;
        return tags;
    }
}
