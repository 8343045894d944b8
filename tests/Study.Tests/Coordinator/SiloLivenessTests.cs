using System.Net;
using Orleans.Runtime;
using Study.Grains.Coordinator;
using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Coordinator;

/// <summary>Issue 10, defect 8: a silo this silo's membership has not heard of yet (SiloStatus.None) used to count
/// as dead at once, requeuing a trial that was still running on a silo that had just joined.</summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class SiloLivenessTests
{
    static readonly SiloAddress Silo = SiloAddress.New(IPAddress.Loopback, 11111, 1);

    [Fact]
    public void AnUnknownSiloIsLostOnlyAfterAGrace()
    {
        Assert.False(SiloLiveness.IsLost(Silo, SiloStatus.None, TimeSpan.FromSeconds(2), null));
        Assert.True(SiloLiveness.IsLost(Silo, SiloStatus.None, SiloLiveness.UnknownGrace + TimeSpan.FromSeconds(1), null));
    }

    [Theory]
    [InlineData(SiloStatus.Dead, true)]
    [InlineData(SiloStatus.Active, false)]
    [InlineData(SiloStatus.Joining, false)]
    [InlineData(SiloStatus.ShuttingDown, false)]
    public void DeadIsLostAfterItsGraceAndLivingIsNot(SiloStatus status, bool lost) =>
        Assert.Equal(lost, SiloLiveness.IsLost(Silo, status, TimeSpan.FromSeconds(1), status == SiloStatus.Dead ? SiloLiveness.DeadGrace : null));

    /// <summary>Issue 23: a silo declared dead may only be cut off, and its attempt trains on until it fences itself
    /// (Running.SelfFence). Its trials move only once it has been seen dead for longer than that takes.</summary>
    [Fact]
    public void ADeadSilosTrialsMoveOnlyAfterItHadTimeToStopThem()
    {
        Assert.False(SiloLiveness.IsLost(Silo, SiloStatus.Dead, TimeSpan.FromMinutes(5), TimeSpan.Zero));
        Assert.False(SiloLiveness.IsLost(Silo, SiloStatus.Dead, TimeSpan.FromMinutes(5), SiloLiveness.DeadGrace - TimeSpan.FromSeconds(1)));
        Assert.True(SiloLiveness.IsLost(Silo, SiloStatus.Dead, TimeSpan.FromMinutes(5), SiloLiveness.DeadGrace));
        Assert.True(SiloLiveness.DeadGrace >= Study.Grains.Running.SelfFence.StopAfter + TimeSpan.FromSeconds(5), "no margin for the step in progress");
    }

    [Fact]
    public void ATrialWithoutASiloIsLost() => Assert.True(SiloLiveness.IsLost(null, SiloStatus.None, TimeSpan.Zero, null));
}
