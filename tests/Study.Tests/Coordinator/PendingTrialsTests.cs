using Study.Grains;
using Study.Grains.Sampling;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

/// <summary>Issue 10, defect 2: with one slot freed at a time, adaptive search proposed a τ next to a trial still
/// running, because only the points of the same Propose call were penalised. Running and queued trials now count, as
/// constant-liar fantasies.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class PendingTrialsTests
{
    static double Objective(double tau) => 0.8 - 0.05 * Math.Pow(Math.Log(tau / 0.3), 2);

    static GpEiSampler Observed()
    {
        var sampler = new GpEiSampler(0.05, 2, budget: 30, start: [0.1, 0.5, 1.5], seed: 2);
        foreach (var tau in sampler.Propose(3)) sampler.Observe(tau, Objective(tau.Tau));
        return sampler;
    }

    [Fact]
    public void AProposalKeepsAwayFromTheTrialsStillRunning()
    {
        // Alone, the search's next point is x; with a trial at x still running, the next proposal goes elsewhere.
        double next = Assert.Single(Observed().Propose(1)).Tau;
        double withPending = Assert.Single(Observed().Propose(1, pending: [next])).Tau;
        double distance = Math.Abs(Math.Log(withPending) - Math.Log(next)) / Math.Log(2 / 0.05); // in the unit log-τ range
        Assert.True(distance > 1.0 / 64, $"proposed {withPending} next to the running trial at {next}");
    }

    [Fact]
    public void OneSlotAtATimeSpreadsLikeABatch()
    {
        // Four slots freed one after another while the earlier proposals still run: they spread as one batch of four.
        var sampler = Observed();
        var running = new List<TauSetting>();
        for (int i = 0; i < 4; i++) running.Add(Assert.Single(sampler.Propose(1, running)));
        var logs = running.Select(t => Math.Log(t.Tau)).Order().ToArray();
        double smallestGap = logs.Zip(logs.Skip(1), (a, b) => b - a).Min();
        Assert.True(smallestGap > 0.05, $"one-at-a-time proposals crowd together: {string.Join(", ", running)}");
    }
}
