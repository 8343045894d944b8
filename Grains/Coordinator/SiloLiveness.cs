using Orleans.Runtime;

namespace Study.Grains.Coordinator;

/// <summary>
/// Whether a running trial's silo counts as lost, by what this silo's membership view says of it. A dead silo is
/// lost once it has been seen dead for <see cref="DeadGrace"/>: a silo declared dead may only be cut off, and it
/// stops its own trials within <see cref="Running.SelfFence.StopAfter"/> of losing touch (plus a step), so waiting
/// longer than that keeps two silos from training one trial at once. A silo the view does not know (None) is
/// usually one that joined a moment ago and has not reached this silo's view yet: it counts as lost only once the
/// attempt has not been heard of for <see cref="UnknownGrace"/>.
/// </summary>
public static class SiloLiveness
{
    public static readonly TimeSpan UnknownGrace = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DeadGrace = Running.SelfFence.StopAfter + TimeSpan.FromSeconds(6);

    /// <param name="sinceSeenDead">how long this coordinator has seen the silo dead (null: it has not)</param>
    public static bool IsLost(SiloAddress? silo, SiloStatus status, TimeSpan sinceAttemptSeen, TimeSpan? sinceSeenDead) =>
        silo is null || (status == SiloStatus.Dead && sinceSeenDead >= DeadGrace) || (status == SiloStatus.None && sinceAttemptSeen > UnknownGrace);
}
