using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Study.Grains;
using Study.Grains.Running;
using Study.Grains.Running.Workers;
using Study.Training.Trainer;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>Issue 23: a slot's worker process that hangs (it takes its trial and then writes nothing) kept its slot for
/// ever. Now it is killed once it has been silent for the silo's limit, and its trial fails saying so. The limit is
/// measured on the silo's clock, here a fake one that the test moves.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class HungWorkerTests
{
    [Fact]
    public async Task AWorkerSilentPastTheLimitIsKilledAndItsTrialFails()
    {
        var artifacts = Directory.CreateTempSubdirectory("study-hung-").FullName;
        try
        {
            // A worker that reads its trial and then hangs.
            var options = new RuntimeOptions
            {
                Artifacts = artifacts, ThreadsPerSlot = 1, WorkerCommand = ["bash", "-c", "read trial; exec sleep 600"],
                WorkerSilenceLimit = TimeSpan.FromSeconds(2),
            };
            var clock = new FakeTimeProvider();
            using var trainer = new ProcessTrialTrainer(options, clock, NullLogger<ProcessTrialTrainer>.Instance);
            var study = new StudySpec { StudyId = "s", Dataset = "synthetic", Taus = [0.5], Epochs = 1 };
            var assignment = new TrialAssignment(new TrialSpec("s", "t1", 0, 0.5, 1), study with { Taus = [] }, 1, null);
            var training = Task.Factory.StartNew(() => trainer.Train(assignment, "cpu", new TrainingControl()), TaskCreationOptions.LongRunning);
            // Real time passes but the silo's clock does not: however long the worker takes to start, it is not killed.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(training.IsCompleted, "the worker was stopped before the silo's clock moved");
            var advanced = await FakeClock.AdvanceUntil(clock, training, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(20), TimeSpan.FromMinutes(5));
            Assert.True(training.IsCompleted, "the hung worker still holds its slot");
            Assert.True(advanced >= options.WorkerSilenceLimit, $"killed after {advanced} of silence, before the limit");
            var outcome = await training;
            Assert.Equal(TrialStatus.Failed, outcome.Status);
            Assert.Contains("wrote nothing for 2 s after 0 epoch(s) and was killed as hung", outcome.Error);
        }
        finally { Directory.Delete(artifacts, recursive: true); }
    }
}
