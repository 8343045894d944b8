using Study.Training.Data;
using Study.Training.Trainer;
using Xunit;
using static TorchSharp.torch;

namespace Study.Tests.Training;

/// <summary>`study train --profile`: every phase of a trial is timed, the phases add up to no more than the trial's
/// time, and timing changes nothing the trial computes.</summary>
public sealed class TrialProfileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-profile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData(NegativeSource.Batch)]
    [InlineData(NegativeSource.MemoryBank)]
    public void AProfiledTrialTimesEveryPhaseAndComputesTheSame(NegativeSource negatives)
    {
        TrainingRuntime.Initialize(2);
        var options = new TrainingOptions
        {
            Dataset = "synthetic", Tau = 0.3, Negatives = negatives, ProjectionHead = ProjectionHeadKind.MlpBatchNorm,
            Epochs = 2, BatchSize = 64, Subset = 512, EvalSubset = 300, Device = "cpu",
        };
        var (train, test) = DatasetCatalog.Load("synthetic", null, 1);
        using var data = new DataSplits(train, test, 1, options.Subset, options.EvalSubset);
        var plain = new ContrastiveTrainer(options, data).Run();

        var profile = new TrialProfile(CPU);
        var profiled = new ContrastiveTrainer(options, data).Run(new TrainingControl
        {
            Profile = profile, CheckpointPath = Path.Combine(dir, $"{negatives}.ckpt"),
        });

        Assert.Equal(TrialStatus.Completed, profiled.Status);
        Assert.Equal(plain.Metrics, profiled.Metrics);
        Assert.Equal(plain.Evaluation!.Embeddings, profiled.Evaluation!.Embeddings);
        Assert.Equal(Enum.GetValues<TrialPhase>(), profile.Phases.Select(p => p.Phase));
        Assert.All(profile.Phases, p => Assert.True(p.Seconds > 0, $"{p.Phase} was not timed"));
        Assert.True(profile.TotalSeconds <= profiled.Seconds, $"the phases took {profile.TotalSeconds} s of a {profiled.Seconds} s trial");
    }
}
