using Orleans.Runtime;

namespace Study.Grains.Coordinator;

/// <summary>
/// Whether a running trial's silo counts as lost, by what this silo's membership view says of it. Dead is lost.
/// A silo the view does not know (None) is usually one that joined a moment ago and has not reached this silo's
/// view yet: it counts as lost only once the attempt has not been heard of for <see cref="UnknownGrace"/>.
/// </summary>
public static class SiloLiveness
{
    public static readonly TimeSpan UnknownGrace = TimeSpan.FromSeconds(30);

    public static bool IsLost(SiloAddress? silo, SiloStatus status, TimeSpan sinceAttemptSeen) =>
        silo is null || status == SiloStatus.Dead || (status == SiloStatus.None && sinceAttemptSeen > UnknownGrace);
}
