using Microsoft.Extensions.Configuration;
using Study.Grains.Running;

namespace Study.Silo;

/// <summary>
/// `./silo` settings (SPEC §3). Each comes from, in rising precedence: the settings file (--settings FILE or
/// STUDY_SETTINGS; JSON, keys as below), an environment variable STUDY_&lt;KEY&gt; (e.g. STUDY_SLOTS_PER_GPU), or the
/// command line (--slots-per-gpu). The key is the option's name with '_' for '-'. <see cref="SiloOptionsValidator"/>
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

    /// <summary>Every option's name on the command line (its key with '-' for '_'); "settings" names the file.</summary>
    public static readonly string[] Names = ["cluster", "slots", "slots-per-gpu", "slot-isolation", "threads-per-slot", "silo-port",
        "gateway-port", "artifacts", "metrics-port", "metrics-address", "store", "primary-port", "name", "advertise",
        "dashboard", "dashboard-port", "dashboard-address", "dashboard-token", "listen-address", "tls-certificate", "tls-key", "tls-ca",
        "tls-require-client-certificate", "cluster-secret", "client-password", "data-roots"];

    public const string Usage = """
        usage: ./silo [options]
          Each option is also an environment variable STUDY_<NAME> (STUDY_SLOTS_PER_GPU=2) and a key of the settings
          file ("slots_per_gpu": 2); the command line wins over the environment, which wins over the file.
          --settings FILE           a JSON settings file (also STUDY_SETTINGS)
          --cluster CONN            PostgreSQL connection string of the cluster (absent: single-machine development clustering)
          --slots N                 accelerator slots (default: GPUs × slots per GPU; 1 without any; 0 hosts no trial)
          --slots-per-gpu K         trials at once per GPU (default 1); slot i trains on cuda:(i mod GPUs)
          --slot-isolation MODE     process (a worker process per slot) or thread (default: process on GPUs, thread on CPUs)
          --threads-per-slot N      torch threads per trial (default: the cores / slots)
          --silo-port P             silo-to-silo port (default 11111)
          --gateway-port P          client gateway port (default 30000)
          --artifacts DIR           checkpoints, shared by all silos of a cluster (default ./studies/artifacts)
          --metrics-port P          HTTP: /metrics (Prometheus), /healthz (liveness), /readyz (readiness) on this port
          --metrics-address IP      the address that port listens on (default 127.0.0.1; 0.0.0.0 in Kubernetes)
          --store PATH              development clustering only: the embedded store (default ./studies/studies.db)
          --primary-port P          development clustering only: the primary silo's port, when this one is not it
          --name NAME               silo name (default: the host name and port)
          --advertise IP            with --cluster: the address others reach this silo at (default: the host name's)
          --listen-address IP       the address the silo and gateway ports listen on (default: all with --cluster)
          --tls-certificate FILE    TLS between silos and with clients: this silo's certificate (PEM, with --tls-key
                                    KEY; or .pfx), signed by --tls-ca FILE, the cluster's authority; peers must chain to it
          --tls-require-client-certificate   clients must present a certificate signed by --tls-ca too (mutual TLS)
          --cluster-secret FILE     a secret the silos share and clients never get (at least 16 bytes, e.g. openssl
                                    rand -hex 32): silos sign slot reports, trial starts and epoch reports with it, so a
                                    client cannot send them; required with --tls-certificate
          --client-password FILE    with --cluster: the password of the database role study_client, which the silos
                                    create with reading rights only; clients connect as it (Username=study_client),
                                    so a client can write nothing to the database (default: no such role)
          --data-roots DIRS         folders (comma-separated) a study's --data-dir must lie in (default: STUDY_DATA_ROOT or
                                    /usr/share/datasets, and /data): a client cannot make the silo read other files
          --dashboard               the Orleans Dashboard, on --dashboard-port P (default 8080) at --dashboard-address IP
                                    (default 127.0.0.1); beyond loopback only with --dashboard-token T
          OpenTelemetry: OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER,
          OTEL_LOGS_EXPORTER = otlp or none choose per signal; OTEL_SERVICE_NAME names the silo's service).
        """;
}
