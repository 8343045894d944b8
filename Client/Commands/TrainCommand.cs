using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Reporting;
using Study.Grains;
using Study.Grains.Coordinator;
using Study.Grains.Hosting;
using Study.Grains.Storage;
using Study.Training.Data;
using Study.Training.Evaluation;
using Study.Training.Trainer;
using TorchSharp;

namespace Study.Client.Commands;

/// <summary><c>study train</c>: one τ in-process, no cluster, with the same trainer and evaluation as a trial.</summary>
public static class TrainCommand
{
    static readonly Option<TauSetting> Tau = new("--tau")
    {
        Description = "the temperature τ of this trial (τ−:τ+ with --tau-schedule cosine)",
        DefaultValueFactory = _ => 0.2,
        CustomParser = r => TypedOptions.Parse(r, text => TrainingOptionReader.ParseTauSetting("--tau", text)),
    };

    static readonly Option<bool> Profile = TypedOptions.Flag("--profile",
        "time each phase of the trial (data, augmentation, forward, loss, backward, optimiser, probes, evaluation) and print the table on stderr");

    public static StudyCommand Declaration { get; } = new StudyCommand("train", "train [options]",
        "Trains and evaluates one τ in this process (no cluster) and writes <out>/trials/<trial-id>/.",
        ["./study train --dataset fashion-mnist --tau 0.2 --epochs 1 --subset 8192 --eval-subset 2000 --json",
         "./study train --dataset synthetic --tau 0.5 --epochs 2",
         "./study train --tau 0.2 --epochs 1 --threads 1 --profile"],
        [Tau, Profile, .. TrainingOptionDeclarations.All, CommonOptions.Out, CommonOptions.Json, CommonOptions.Config])
        .WithAction(Run);

    static int Run(ParseResult parse, CancellationToken cancel)
    {
        var options = TrainingOptionReader.Read(parse, parse.GetValue(Tau));
        TrainingOptionReader.CheckDeviceHere(options.Device);
        int threads = TrainingOptionReader.Threads(parse);
        TrainingRuntime.Initialize(threads);

        using var data = LoadData(options);
        var studyId = TrialNaming.NewStudyId("train");
        var folder = CommonOptions.OutFolder(parse, studyId);
        var trialId = TrialNaming.TrialId(0, TauSetting.Of(options.Tau, options.TauMax), options.Seed, options.Loss);
        bool json = parse.GetValue(CommonOptions.Json);
        Console.Error.WriteLine($"study train: {trialId} on {options.Dataset} ({data.Training.Length} training images, " +
            $"{data.Evaluated.Length} test images evaluated), {options.Epochs} epoch(s), {threads} thread(s)");

        var profile = parse.GetValue(Profile) ? new TrialProfile(TrainingDevice.Resolve(options.Device)) : null;
        var outcome = new ContrastiveTrainer(options, data).Run(new TrainingControl
        {
            Cancel = cancel,
            Profile = profile,
            OnEpoch = m =>
            {
                Console.Error.WriteLine($"epoch {m.Epoch}/{options.Epochs}: loss {Numbers.Metric(m.Loss)}  val_knn_accuracy {Numbers.Fixed(m.ValKnnAccuracy, 3)}  " +
                    $"pos {Numbers.Fixed(m.PositiveSimilarity, 3)}  top10-neg {Numbers.Fixed(m.NearestNegativeSimilarity, 3)}  entropy {Numbers.Fixed(m.PenaltyEntropy, 2)}  " +
                    $"val unif {Numbers.Fixed(m.ValUniformity, 3)}  val tol {Numbers.Fixed(m.ValTolerance, 3)}  " +
                    $"{Numbers.Fixed(m.ImagesPerSecond, 0)} img/s");
                return EpochVerdict.Continue;
            },
        });

        var entry = new TrialEntry(trialId, options.Tau, options.Seed,
            outcome.Status, outcome.EpochsCompleted, Attempts: 1, Silo: Environment.MachineName,
            Math.Round(outcome.Seconds, 2), outcome.Error, outcome.Metrics, outcome.Device)
            .WithSchedule(options.TauSchedule, options.TauMax, options.TauPeriod);
        var writing = System.Diagnostics.Stopwatch.StartNew();
        var trialFolder = TrialFolderWriter.Write(folder, entry, outcome.History.Select(m => (m, entry.Attempts)),
            Artifacts(studyId, entry, outcome.Evaluation));
        if (profile is not null) Console.Error.Write(TrialProfileTable.Render(profile, outcome.Seconds, writing.Elapsed.TotalSeconds));
        if (json) Console.WriteLine(StudyJson.Serialize(entry));
        else PrintSummary(entry, trialFolder);
        return outcome.Status switch
        {
            TrialStatus.Completed => ExitCodes.Completed,
            TrialStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.Failed,
        };
    }

    /// <summary>Loads the dataset and its splits; any data problem is bad input (exit 2) naming the file.</summary>
    public static DataSplits LoadData(TrainingOptions options)
    {
        ImageSet? train = null, test = null;
        try
        {
            (train, test) = DatasetCatalog.Load(options.Dataset, options.DataDir, options.SplitSeed);
            return new DataSplits(train, test, options.SplitSeed, options.Subset, options.EvalSubset);
        }
        catch (DatasetFormatException e) { throw new UsageException(e.Message); }
        catch (ArgumentException e)
        {
            train?.Dispose(); test?.Dispose();
            throw new UsageException(e.Message);
        }
    }

    static ArtifactRecord? Artifacts(string studyId, TrialEntry entry, FinalEvaluation? evaluation) =>
        evaluation is null ? null : new ArtifactRecord(studyId, entry.TrialId, entry.Attempts, evaluation.EmbeddingDimension,
            evaluation.Embeddings, evaluation.Labels, StudyJson.Serialize(evaluation.Similarities, indented: false));

    static void PrintSummary(TrialEntry entry, string folder)
    {
        Console.WriteLine($"{entry.TrialId}: {entry.Status.Name()} after {entry.EpochsCompleted} epoch(s) in {Numbers.Seconds(entry.DurationSeconds)} s");
        if (entry.Error is not null) Console.WriteLine($"  error: {entry.Error}");
        var m = entry.Metrics;
        foreach (var (name, value) in new (string, double?)[]
        {
            ("linear_accuracy", m.LinearAccuracy), ("knn_accuracy", m.KnnAccuracy), ("val_linear_accuracy", m.ValLinearAccuracy),
            ("val_knn_accuracy", m.ValKnnAccuracy), ("uniformity", m.Uniformity), ("tolerance", m.Tolerance),
            ("alignment", m.Alignment), ("loss", m.Loss),
        })
            Console.WriteLine($"  {name,-20} {Numbers.Metric(value)}");
        Console.WriteLine($"  files: {folder}");
    }
}
