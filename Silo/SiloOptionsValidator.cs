using System.Net;
using Microsoft.Extensions.Options;

namespace Study.Silo;

/// <summary>The rules of <see cref="SiloOptions"/>; each failure names the option as the command line spells it.</summary>
public sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions o)
    {
        var failures = new List<string>();
        void Range(string option, int? value, int min, int max)
        {
            if (value is { } v && (v < min || v > max)) failures.Add($"--{option}: {v} must be a whole number from {min} to {max}");
        }
        Range("slots", o.Slots, 0, 64);
        Range("slots-per-gpu", o.SlotsPerGpu, 1, 64);
        Range("threads-per-slot", o.ThreadsPerSlot, 1, 1024);
        Range("silo-port", o.SiloPort, 1, 65535);
        Range("gateway-port", o.GatewayPort, 1, 65535);
        Range("metrics-port", o.MetricsPort, 1, 65535);
        Range("primary-port", o.PrimaryPort, 1, 65535);
        Range("dashboard-port", o.DashboardPort, 1, 65535);
        if (o.SlotIsolation is { } isolation && !Enum.IsDefined(isolation)) failures.Add("--slot-isolation: must be process or thread");
        if (string.IsNullOrWhiteSpace(o.Artifacts)) failures.Add("--artifacts: must name a folder");
        if (!IPAddress.TryParse(o.MetricsAddress, out _)) failures.Add($"--metrics-address: '{o.MetricsAddress}' is not an IP address");
        if (o.ListenAddress is { } listen && !IPAddress.TryParse(listen, out _)) failures.Add($"--listen-address: '{listen}' is not an IP address");
        if ((o.TlsCertificate, o.TlsCa) is (null, not null) or (not null, null))
            failures.Add("--tls-certificate and --tls-ca go together: a silo's certificate, and the authority its peers' chain to");
        if (o.TlsKey is not null && o.TlsCertificate is null) failures.Add("--tls-key: give --tls-certificate too");
        if (o.TlsRequireClientCertificate && o.TlsCertificate is null) failures.Add("--tls-require-client-certificate: give --tls-certificate and --tls-ca");
        if (o.TlsCertificate is not null && o.ClusterSecret is null)
            failures.Add("--tls-certificate: give --cluster-secret too, or a client with a certificate could act as a silo");
        if (o.ClientPassword is not null && o.Cluster is null) failures.Add("--client-password: only with --cluster (the role is a PostgreSQL one)");
        if (o.Advertise is { } advertise && !IPAddress.TryParse(advertise, out _)) failures.Add($"--advertise: '{advertise}' is not an IP address");
        if (o.MetricsPort is { } metrics && (metrics == o.SiloPort || metrics == o.GatewayPort))
            failures.Add($"--metrics-port: {metrics} is already the silo or gateway port");
        if (o.Dashboard)
        {
            if (!IPAddress.TryParse(o.DashboardAddress, out var address))
                failures.Add($"--dashboard-address: '{o.DashboardAddress}' is not an IP address");
            else if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(o.DashboardToken))
                failures.Add($"--dashboard-address: {o.DashboardAddress} is beyond loopback; give --dashboard-token (at least 16 characters)");
            if (o.DashboardToken is { Length: > 0 and < 16 }) failures.Add("--dashboard-token: must be at least 16 characters");
            if (o.DashboardPort == o.MetricsPort || o.DashboardPort == o.SiloPort || o.DashboardPort == o.GatewayPort)
                failures.Add($"--dashboard-port: {o.DashboardPort} is already another port of this silo");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
