using Microsoft.Extensions.Configuration;
using Study.Grains.Running;

namespace Study.Silo;

/// <summary>
/// `./silo` settings (docs/CLI.md), with their defaults. Each comes from, in rising precedence: the settings file
/// (--settings FILE or STUDY_SETTINGS; JSON, keys as below), an environment variable STUDY_&lt;KEY&gt; (e.g.
/// STUDY_SLOTS_PER_GPU), or the command line (--slots-per-gpu): <see cref="SiloConfiguration"/>. The key is the
/// option's name with '_' for '-'; <see cref="SiloCommandLine"/> declares the options, <see cref="SiloOptionsValidator"/>
/// checks them.
/// </summary>
public sealed class SiloOptions
{
    [ConfigurationKeyName("cluster")] public string? Cluster { get; set; }
    [ConfigurationKeyName("slots")] public int? Slots { get; set; }
    [ConfigurationKeyName("slots_per_gpu")] public int SlotsPerGpu { get; set; } = 1;
    /// <summary>null: processes on GPU slots, threads on CPU slots.</summary>
    [ConfigurationKeyName("slot_isolation")] public SlotIsolation? SlotIsolation { get; set; }
    [ConfigurationKeyName("threads_per_slot")] public int? ThreadsPerSlot { get; set; }
    [ConfigurationKeyName("silo_port")] public int SiloPort { get; set; } = 11111;
    [ConfigurationKeyName("gateway_port")] public int GatewayPort { get; set; } = 30000;
    [ConfigurationKeyName("artifacts")] public string Artifacts { get; set; } = Path.Combine("studies", "artifacts");
    /// <summary>The HTTP port of /healthz, /readyz and /metrics; null: no HTTP side.</summary>
    [ConfigurationKeyName("metrics_port")] public int? MetricsPort { get; set; }
    [ConfigurationKeyName("metrics_address")] public string MetricsAddress { get; set; } = "127.0.0.1";
    /// <summary>Without --cluster: the embedded store this development silo keeps studies in.</summary>
    [ConfigurationKeyName("store")] public string Store { get; set; } = Path.Combine("studies", "studies.db");
    /// <summary>Without --cluster: the primary silo's port of the development cluster (default: this silo is primary).</summary>
    [ConfigurationKeyName("primary_port")] public int? PrimaryPort { get; set; }
    [ConfigurationKeyName("name")] public string? Name { get; set; }
    /// <summary>With --cluster: the address other silos and clients reach this one at (default: the host name's).</summary>
    [ConfigurationKeyName("advertise")] public string? Advertise { get; set; }
    /// <summary>The address the silo and gateway ports listen on (default: every address with --cluster, else loopback).</summary>
    [ConfigurationKeyName("listen_address")] public string? ListenAddress { get; set; }
    [ConfigurationKeyName("tls_certificate")] public string? TlsCertificate { get; set; }
    [ConfigurationKeyName("tls_key")] public string? TlsKey { get; set; }
    [ConfigurationKeyName("tls_ca")] public string? TlsCa { get; set; }
    [ConfigurationKeyName("tls_require_client_certificate")] public bool TlsRequireClientCertificate { get; set; }
    /// <summary>A file holding the secret the silos share and clients do not: silo-only calls are signed with it.</summary>
    [ConfigurationKeyName("cluster_secret")] public string? ClusterSecret { get; set; }
    /// <summary>A file holding the password of the clients' read-only database role (study_client), which the silos
    /// create and keep current.</summary>
    [ConfigurationKeyName("client_password")] public string? ClientPassword { get; set; }
    /// <summary>Comma-separated folders a study's --data-dir must lie in (default: the datasets' root and /data).</summary>
    [ConfigurationKeyName("data_roots")] public string? DataRoots { get; set; }
    [ConfigurationKeyName("dashboard")] public bool Dashboard { get; set; }
    [ConfigurationKeyName("dashboard_port")] public int DashboardPort { get; set; } = 8080;
    [ConfigurationKeyName("dashboard_address")] public string DashboardAddress { get; set; } = "127.0.0.1";
    /// <summary>Required when the dashboard listens beyond loopback: a bearer token (or ?token= once, then a cookie).</summary>
    [ConfigurationKeyName("dashboard_token")] public string? DashboardToken { get; set; }
}
