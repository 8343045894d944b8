using System.Text;
using Study.Training.Trainer;

namespace Study.Client.Reporting;

/// <summary>`study train --profile`: where the trial's time went, a line per phase with its share of the trial.</summary>
public static class TrialProfileTable
{
    /// <param name="trialSeconds">the trial's own time (its outcome's seconds)</param>
    /// <param name="writeSeconds">writing its folder afterwards (embeddings included)</param>
    public static string Render(TrialProfile profile, double trialSeconds, double writeSeconds)
    {
        var rows = profile.Phases.Select(p => (Name: SettingName.Of(p.Phase), p.Seconds)).ToList();
        rows.Add(("other", Math.Max(0, trialSeconds - profile.TotalSeconds)));
        var text = new StringBuilder($"profile: {Numbers.Seconds(trialSeconds)} s in the trial, {Numbers.Seconds(writeSeconds)} s writing its folder\n");
        text.Append($"  {"phase",-14} {"seconds",9} {"share",7}\n");
        foreach (var (name, seconds) in rows)
            text.Append($"  {name,-14} {Numbers.Fixed(seconds, 2),9} {Numbers.Fixed(100 * seconds / trialSeconds, 1),6}%\n");
        return text.ToString();
    }
}
