using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Study.Grains;
using Study.Grains.Hosting;

namespace Study.Client.Commands;

/// <summary>The console's own log lines about a study: they go out by OTLP with the process's telemetry, beside the
/// silos' (nowhere otherwise: the console prints its own progress).</summary>
static class StudyLog
{
    static ILogger Log => ConsoleTelemetry.Current?.Logger("Study.Client") ?? NullLogger.Instance;

    public static void Started(StudySpec spec, string where) =>
        Log.LogInformation("study {Study} started {Where}: {Trials} trials, {Dataset}, {Loss} loss, {Negatives} negatives, {Search} search",
            spec.StudyId, where, spec.TotalTrials, spec.Dataset, spec.Loss, spec.Negatives, spec.Search);

    public static void Ended(string studyId, string status) => Log.LogInformation("study {Study} ended: {Status}", studyId, status);
}
