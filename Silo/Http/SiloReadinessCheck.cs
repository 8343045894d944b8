using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Study.Grains.Storage;

namespace Study.Silo.Http;

/// <summary>/readyz: the silo has joined the cluster (membership lists it active) and the store answers.</summary>
public sealed class SiloReadinessCheck(ILocalSiloDetails silo, IClusterMembershipService membership, IStudyStore store,
    IHostApplicationLifetime lifetime) : IHealthCheck
{
    static readonly TimeSpan StoreDeadline = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancel = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested) return HealthCheckResult.Unhealthy("stopping");
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        if (status != SiloStatus.Active) return HealthCheckResult.Unhealthy($"not an active member of the cluster ({status})");
        try
        {
            await store.GetStudy("readiness-probe").WaitAsync(StoreDeadline, cancel);
            return HealthCheckResult.Healthy("joined the cluster; the store answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the store does not answer ({e.GetBaseException().Message})");
        }
    }
}
