using System.Collections.Concurrent;

namespace Study.Grains.Coordinator;

/// <summary>Measurements the coordinators of a silo make about themselves (proposal latency, for now).</summary>
public sealed class CoordinatorMetrics
{
    readonly ConcurrentQueue<double> proposalMilliseconds = new();

    public void RecordProposal(TimeSpan elapsed, int observations)
    {
        proposalMilliseconds.Enqueue(elapsed.TotalMilliseconds);
        LastObservations = observations;
    }

    public int LastObservations { get; private set; }

    public IReadOnlyList<double> ProposalMilliseconds => proposalMilliseconds.ToArray();
}
