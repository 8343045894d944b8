using System.Collections.Concurrent;

namespace Study.Grains.Coordinator;

/// <summary>Measurements the coordinators of a silo make about themselves (proposal latency, for now).</summary>
public sealed class CoordinatorMetrics
{
    readonly ConcurrentQueue<double> proposalMilliseconds = new();

    public void RecordProposal(TimeSpan elapsed) => proposalMilliseconds.Enqueue(elapsed.TotalMilliseconds);

    public IReadOnlyList<double> ProposalMilliseconds => proposalMilliseconds.ToArray();
}
