using System.CommandLine;
using Study.Client.Cli;
using Study.Client.Connection;
using Study.Grains;

namespace Study.Client.Commands;

/// <summary>`study run`: a study to completion, in this process (embedded silo and store) unless --cluster is given.</summary>
public static class RunCommand
{
    public static StudyCommand Declaration { get; } = new StudyCommand("run", "run [options]",
        "Runs a study to completion: an embedded silo and the SQLite store at --store, or the cluster given by --cluster. " +
        "Shows live progress on a terminal (plain lines otherwise) and writes the output folder: results.json, trials.csv, " +
        "report.html, plots/ and trials/. Ctrl-C asks whether to cancel the study or to detach from it.",
        ["./study run", "./study run --dataset synthetic --taus 0.1,0.3,1.0 --epochs 2",
         "./study run --search adaptive --trials 8 --tau-range 0.05:2 --seeds 2 --pruner asha",
         "./study run --negatives memory-bank --projection-head mlp-bn --epochs 4 --subset 10000"],
        StudyCommandOptions.Study).WithAction(Run);

    static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        var spec = StudyOptionReader.Read(parse, StudyOptionReader.NewStudyId());
        if (StudyStores.ClusterOf(parse) is not null)
        {
            var id = await SubmitCommand.Submit(parse, spec);
            return await WatchCommand.Follow(parse, id, cancelOnInterrupt: true, cancel);
        }
        StudyCommandOptions.CheckDevice(spec);
        StudyCommandOptions.CheckData(spec);
        await using var store = await StudyStores.Open(parse, mustExist: false);
        return await EmbeddedStudy.Drive(store, parse, spec, grains => grains.GetGrain<IStudyGrain>(spec.StudyId).Start(spec), leaseFirst: false, cancel);
    }
}
