using Microsoft.Extensions.Logging.Abstractions;
using Study.Grains;
using Study.Grains.Running;
using Study.Grains.Running.Workers;
using Study.Training.Trainer;
using Xunit;

namespace Study.Tests.Runtime;

/// <summary>Issue 23: a slot's worker process that hangs (it takes its trial and then writes nothing) kept its slot for
/// ever. Now it is killed once it has been silent for the silo's limit, and its trial fails saying so.</summary>
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
            using var trainer = new ProcessTrialTrainer(options, NullLogger<ProcessTrialTrainer>.Instance);
            var study = new StudySpec { StudyId = "s", Dataset = "synthetic", Taus = [0.5], Epochs = 1 };
            var assignment = new TrialAssignment(new TrialSpec("s", "t1", 0, 0.5, 1), study with { Taus = [] }, 1, null);
            var training = Task.Factory.StartNew(() => trainer.Train(assignment, "cpu", new TrainingControl()), TaskCreationOptions.LongRunning);
            Assert.True(await Task.WhenAny(training, Task.Delay(TimeSpan.FromSeconds(60))) == training, "the hung worker still holds its slot");
            var outcome = await training;
            Assert.Equal(TrainingStatus.Failed, outcome.Status);
            Assert.Contains("wrote nothing for 2 s after 0 epoch(s) and was killed as hung", outcome.Error);
        }
        finally { Directory.Delete(artifacts, recursive: true); }
    }
}
