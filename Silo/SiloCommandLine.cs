using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Study.Grains.Hosting;
using Study.Grains.Running;

namespace Study.Silo;

/// <summary>
/// The options of ./silo (docs/CLI.md), each declared once with its type, help and default (<see cref="SiloOptions"/>'s).
/// The parser checks types; <see cref="SiloOptionsValidator"/> checks ranges and how the options go together.
/// </summary>
public static class SiloCommandLine
{
    static readonly SiloOptions Defaults = new();

    public static readonly Option<string?> Settings = Text("--settings", "FILE", "a JSON settings file (also STUDY_SETTINGS)");

    static readonly Option[] Declared =
    [
        Settings,
        Text("--cluster", "CONN", "PostgreSQL connection string of the cluster (absent: single-machine development clustering)"),
        OptionalInt("--slots", "N", "accelerator slots (default: GPUs × slots per GPU; 1 without any; 0 hosts no trial)"),
        Int("--slots-per-gpu", "K", "trials at once per GPU; slot i trains on cuda:(i mod GPUs)", Defaults.SlotsPerGpu),
        new Option<SlotIsolation?>("--slot-isolation")
        {
            Description = "process (a worker process per slot) or thread (default: process on GPUs, thread on CPUs)", HelpName = "MODE",
            CustomParser = r => r.Tokens[0].Value is "process" or "thread" ? RuntimeOptions.ParseIsolation(r.Tokens[0].Value)
                : Error<SlotIsolation?>(r, $"--slot-isolation: '{r.Tokens[0].Value}' is not process or thread"),
        },
        OptionalInt("--threads-per-slot", "N", "torch threads per trial (default: the cores / slots)"),
        Int("--silo-port", "P", "silo-to-silo port", Defaults.SiloPort),
        Int("--gateway-port", "P", "client gateway port", Defaults.GatewayPort),
        Text("--artifacts", "DIR", "checkpoints, shared by all silos of a cluster; no path may leave it", Defaults.Artifacts),
        OptionalInt("--metrics-port", "P", "HTTP: /metrics (Prometheus), /healthz (liveness), /readyz (readiness) on this port (default: none)"),
        Text("--metrics-address", "IP", "the address that port listens on (0.0.0.0 in Kubernetes)", Defaults.MetricsAddress),
        Text("--store", "PATH", "development clustering only: the embedded store", Defaults.Store),
        OptionalInt("--primary-port", "P", "development clustering only: the primary silo's port, when this one is not it (default: this one is)"),
        Text("--name", "NAME", "silo name (default: the host name and port)"),
        Text("--advertise", "IP", "with --cluster: the address others reach this silo at (default: the host name's)"),
        Text("--listen-address", "IP", "the address the silo and gateway ports listen on (default: all with --cluster, else loopback)"),
        Text("--tls-certificate", "FILE", "TLS between silos and with clients: this silo's certificate (PEM, with --tls-key; or .pfx), signed by --tls-ca"),
        Text("--tls-key", "FILE", "the key of --tls-certificate (PEM)"),
        Text("--tls-ca", "FILE", "the cluster's certificate authority: peers' certificates must chain to it"),
        Flag("--tls-require-client-certificate", "clients must present a certificate signed by --tls-ca too (mutual TLS)"),
        Text("--cluster-secret", "FILE", "a secret the silos share and clients never get (at least 16 bytes, e.g. openssl rand -hex 32): silos sign " +
            "slot reports, trial starts and epoch reports with it, so a client cannot send them; required with --tls-certificate"),
        Text("--client-password", "FILE", "with --cluster: the password of the database role study_client, which the silos create with reading " +
            "rights only; clients connect as it (Username=study_client), so a client can write nothing to the database (default: no such role)"),
        Text("--data-roots", "DIRS", "folders (comma-separated) a study's --data-dir must lie in (default: STUDY_DATA_ROOT or /usr/share/datasets, " +
            "and /data): a client cannot make the silo read other files"),
        Flag("--dashboard", "the Orleans Dashboard, on --dashboard-port at --dashboard-address; beyond loopback only with --dashboard-token"),
        Int("--dashboard-port", "P", "the Orleans Dashboard's port", Defaults.DashboardPort),
        Text("--dashboard-address", "IP", "the address the Orleans Dashboard listens on", Defaults.DashboardAddress),
        Text("--dashboard-token", "T", "a bearer token (at least 16 characters) the dashboard asks for (or ?token= once, then a cookie)"),
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
        foreach (var version in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(version);
        root.Options.OfType<HelpOption>().Single().Action = new CommandLineHelp.Action(_ => Help);
        return root;
    }

    static Option<string?> Text(string name, string helpName, string description) => new(name) { Description = description, HelpName = helpName };

    static Option<string> Text(string name, string helpName, string description, string fallback) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback };

    static Option<int> Int(string name, string helpName, string description, int fallback) =>
        new(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => fallback, CustomParser = r => Whole(r, name) ?? 0 };

    static Option<int?> OptionalInt(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, CustomParser = r => Whole(r, name) };

    /// <summary>A flag that also takes true or false (as its variable and its key do).</summary>
    static Option<bool> Flag(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => r.Tokens.Count == 0 || bool.Parse(r.Tokens[0].Value),
    };

    static int? Whole(ArgumentResult r, string name) =>
        int.TryParse(r.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
            : Error<int?>(r, $"{name}: '{r.Tokens[0].Value}' is not a whole number");

    static T Error<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }
}
