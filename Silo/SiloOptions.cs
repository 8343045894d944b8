using Study.Grains.Running;

namespace Study.Silo;

/// <summary>
/// `./silo` settings (docs/CLI.md), as <see cref="SiloConfiguration"/> reads them from the options <see cref="SiloCommandLine"/>
/// declares (with their defaults). Each comes from, in rising precedence: the settings file (--settings FILE or STUDY_SETTINGS;
/// JSON, keys as the options' names with '_' for '-'), an environment variable STUDY_&lt;KEY&gt; (e.g. STUDY_SLOTS_PER_GPU), or
/// the command line (--slots-per-gpu). <see cref="SiloOptionsValidator"/> checks them.
/// </summary>
public sealed class SiloOptions
{
    public required string? Cluster { get; init; }
    public required int? Slots { get; init; }
    public required int SlotsPerGpu { get; init; }
    /// <summary>null: processes on GPU slots, threads on CPU slots.</summary>
    public required SlotIsolation? SlotIsolation { get; init; }
    public required int? ThreadsPerSlot { get; init; }
    public required int SiloPort { get; init; }
    public required int GatewayPort { get; init; }
    public required string Artifacts { get; init; }
    /// <summary>The HTTP port of /healthz, /readyz and /metrics; null: no HTTP side.</summary>
    public required int? MetricsPort { get; init; }
    public required string MetricsAddress { get; init; }
    /// <summary>Without --cluster: the embedded store this development silo keeps studies in.</summary>
    public required string Store { get; init; }
    /// <summary>Without --cluster: the primary silo's port of the development cluster (default: this silo is primary).</summary>
    public required int? PrimaryPort { get; init; }
    public required string? Name { get; init; }
    /// <summary>With --cluster: the address other silos and clients reach this one at (default: the host name's).</summary>
    public required string? Advertise { get; init; }
    /// <summary>The address the silo and gateway ports listen on (default: every address with --cluster, else loopback).</summary>
    public required string? ListenAddress { get; init; }
    public required string? TlsCertificate { get; init; }
    public required string? TlsKey { get; init; }
    public required string? TlsCa { get; init; }
    public required bool TlsRequireClientCertificate { get; init; }
    /// <summary>A file holding the secret the silos share and clients do not: silo-only calls are signed with it.</summary>
    public required string? ClusterSecret { get; init; }
    /// <summary>A file holding the password of the clients' read-only database role (study_client), which the silos
    /// create and keep current.</summary>
    public required string? ClientPassword { get; init; }
    /// <summary>Comma-separated folders a study's --data-dir must lie in (default: the datasets' root and /data).</summary>
    public required string? DataRoots { get; init; }
    public required bool Dashboard { get; init; }
    public required int DashboardPort { get; init; }
    public required string DashboardAddress { get; init; }
    /// <summary>Required when the dashboard listens beyond loopback: a bearer token (or ?token= once, then a cookie).</summary>
    public required string? DashboardToken { get; init; }
}
