using System.CommandLine;
using Study.Grains.Hosting;
using Study.Grains.Running;
using static Study.Grains.Hosting.TypedOptions;

namespace Study.Silo;

/// <summary>
/// The options of ./silo (docs/CLI.md), each declared once with its type, help and default; <see cref="SiloConfiguration"/>
/// reads them into <see cref="SiloOptions"/>. The parser checks types; <see cref="SiloOptionsValidator"/> checks ranges and how
/// the options go together.
/// </summary>
public static class SiloCommandLine
{
    public static readonly Option<string?> Settings = Text("--settings", "a JSON settings file (also STUDY_SETTINGS)", "FILE");
    public static readonly Option<string?> Cluster =
        Text("--cluster", "PostgreSQL connection string of the cluster (absent: single-machine development clustering)", "CONN");
    public static readonly Option<int?> Slots = OptionalInt("--slots", "accelerator slots (default: GPUs × slots per GPU; 1 without any; 0 hosts no trial)");
    public static readonly Option<int> SlotsPerGpu = Int("--slots-per-gpu", "trials at once per GPU; slot i trains on cuda:(i mod GPUs)", 1, helpName: "K");
    /// <summary>null: processes on GPU slots, threads on CPU slots.</summary>
    public static readonly Option<SlotIsolation?> SlotIsolation = new("--slot-isolation")
    {
        Description = "process (a worker process per slot) or thread (default: process on GPUs, thread on CPUs)", HelpName = "MODE",
        CustomParser = r => Parse(r, t => t is "process" or "thread" ? RuntimeOptions.ParseIsolation(t)
            : throw new UsageException($"--slot-isolation: '{t}' is not process or thread")),
    };
    public static readonly Option<int?> ThreadsPerSlot = OptionalInt("--threads-per-slot", "torch threads per trial (default: the cores / slots)");
    public static readonly Option<int> SiloPort = Int("--silo-port", "silo-to-silo port", 11111, helpName: "P");
    public static readonly Option<int> GatewayPort = Int("--gateway-port", "client gateway port", 30000, helpName: "P");
    public static readonly Option<string> Artifacts =
        Text("--artifacts", "checkpoints, shared by all silos of a cluster; no path may leave it", "DIR", Path.Combine("studies", "artifacts"));
    /// <summary>The HTTP port of /healthz, /readyz and /metrics; null: no HTTP side.</summary>
    public static readonly Option<int?> MetricsPort = OptionalInt("--metrics-port",
        "HTTP: /metrics (Prometheus), /healthz (liveness), /readyz (readiness) on this port (default: none)", helpName: "P");
    public static readonly Option<string> MetricsAddress = Text("--metrics-address", "the address that port listens on (0.0.0.0 in Kubernetes)", "IP", "127.0.0.1");
    /// <summary>Without --cluster: the embedded store this development silo keeps studies in.</summary>
    public static readonly Option<string> Store = Text("--store", "development clustering only: the embedded store", "PATH", Path.Combine("studies", "studies.db"));
    /// <summary>Without --cluster: the primary silo's port of the development cluster (default: this silo is primary).</summary>
    public static readonly Option<int?> PrimaryPort = OptionalInt("--primary-port",
        "development clustering only: the primary silo's port, when this one is not it (default: this one is)", helpName: "P");
    public static readonly Option<string?> Name = Text("--name", "silo name (default: the host name and port)", "NAME");
    public static readonly Option<string?> Advertise = Text("--advertise", "with --cluster: the address others reach this silo at (default: the host name's)", "IP");
    public static readonly Option<string?> ListenAddress =
        Text("--listen-address", "the address the silo and gateway ports listen on (default: all with --cluster, else loopback)", "IP");
    public static readonly Option<string?> TlsCertificate = Text("--tls-certificate",
        "TLS between silos and with clients: this silo's certificate (PEM, with --tls-key; or .pfx), signed by --tls-ca", "FILE");
    public static readonly Option<string?> TlsKey = Text("--tls-key", "the key of --tls-certificate (PEM)", "FILE");
    public static readonly Option<string?> TlsCa = Text("--tls-ca", "the cluster's certificate authority: peers' certificates must chain to it", "FILE");
    public static readonly Option<bool> TlsRequireClientCertificate =
        Switch("--tls-require-client-certificate", "clients must present a certificate signed by --tls-ca too (mutual TLS)");
    public static readonly Option<string?> ClusterSecret = Text("--cluster-secret", "a secret the silos share and clients never get (at least 16 bytes, " +
        "e.g. openssl rand -hex 32): silos sign slot reports, trial starts and epoch reports with it, so a client cannot send them; required with --tls-certificate",
        "FILE");
    public static readonly Option<string?> ClientPassword = Text("--client-password", "with --cluster: the password of the database role study_client, " +
        "which the silos create with reading rights only; clients connect as it (Username=study_client), so a client can write nothing to the database " +
        "(default: no such role)", "FILE");
    public static readonly Option<string?> DataRoots = Text("--data-roots", "folders (comma-separated) a study's --data-dir must lie in (default: " +
        "STUDY_DATA_ROOT or /usr/share/datasets, and /data): a client cannot make the silo read other files", "DIRS");
    public static readonly Option<bool> Dashboard =
        Switch("--dashboard", "the Orleans Dashboard, on --dashboard-port at --dashboard-address; beyond loopback only with --dashboard-token");
    public static readonly Option<int> DashboardPort = Int("--dashboard-port", "the Orleans Dashboard's port", 8080, helpName: "P");
    public static readonly Option<string> DashboardAddress = Text("--dashboard-address", "the address the Orleans Dashboard listens on", "IP", "127.0.0.1");
    /// <summary>Required when the dashboard listens beyond loopback: a bearer token (or ?token= once, then a cookie).</summary>
    public static readonly Option<string?> DashboardToken =
        Text("--dashboard-token", "a bearer token (at least 16 characters) the dashboard asks for (or ?token= once, then a cookie)", "T");

    static readonly Option[] Declared =
    [
        Settings, Cluster, Slots, SlotsPerGpu, SlotIsolation, ThreadsPerSlot, SiloPort, GatewayPort, Artifacts, MetricsPort, MetricsAddress, Store,
        PrimaryPort, Name, Advertise, ListenAddress, TlsCertificate, TlsKey, TlsCa, TlsRequireClientCertificate, ClusterSecret, ClientPassword, DataRoots,
        Dashboard, DashboardPort, DashboardAddress, DashboardToken,
    ];

    public static RootCommand Root { get; } = Build();

    /// <summary>The options a settings file and STUDY_* variables may set: all but --settings.</summary>
    public static IEnumerable<Option> Settable => Declared.Where(o => o != Settings);

    public static string Help => CommandLineHelp.For(Root, "./silo [options]",
        ("examples", ["./silo", "./silo --slots-per-gpu 2 --metrics-port 9464",
            "./silo --cluster \"Host=db;Username=study;Password=…;Database=study\" --artifacts /shared/artifacts --cluster-secret certs/cluster-secret"]),
        ("telemetry", ["OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER =",
            "otlp or none choose per signal; OTEL_SERVICE_NAME names the silo's service)."]));

    public static readonly CommandLineWording Wording = new(
        (option, _) => $"unknown option {option}; see ./silo --help", (argument, _) => $"unexpected argument '{argument}'");

    static RootCommand Build()
    {
        var root = new RootCommand("One silo of a study cluster. Each option is also an environment variable STUDY_<NAME> (STUDY_SLOTS_PER_GPU=2) " +
            "and a key of the settings file (\"slots_per_gpu\": 2); the command line wins over the environment, which wins over the file.");
        foreach (var option in Declared) root.Options.Add(option);
        CommandLineHelp.Install(root, _ => Help);
        return root;
    }
}
