using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Study.Silo.Http;

/// <summary>/healthz: the process serves requests. It stays healthy while the silo stops: on SIGTERM the silo
/// checkpoints its running trials, and a failing liveness probe then would have Kubernetes kill it mid-checkpoint.
/// Whether the silo takes work is /readyz's answer.</summary>
public sealed class SiloLivenessCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancel = default) =>
        Task.FromResult(HealthCheckResult.Healthy("serving"));
}
