using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Study.Silo.Http;

/// <summary>/healthz: the process serves requests and is not stopping (a stopping silo checkpoints its trials; a
/// restart would only cut that short, so it reports unhealthy but Kubernetes is already ending it).</summary>
public sealed class SiloLivenessCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancel = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("stopping")
            : HealthCheckResult.Healthy("serving"));
}
