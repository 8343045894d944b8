using System.Collections.Concurrent;

namespace Study.Grains.Coordinator;

/// <summary>Measurements the coordinators of a silo make about themselves (proposal latency, for now).</summary>
public sealed class CoordinatorMetrics
{
    readonly ConcurrentQueue<(double Milliseconds, int Points)> proposals = new();

    /// <param name="points">the τ the call proposed (a call proposes for every slot free at once)</param>
    public void RecordProposal(TimeSpan elapsed, int points) => proposals.Enqueue((elapsed.TotalMilliseconds, points));

    public IReadOnlyList<double> ProposalMilliseconds => proposals.Select(p => p.Milliseconds).ToArray();

    public IReadOnlyList<int> ProposalPoints => proposals.Select(p => p.Points).ToArray();
}
