using System.Globalization;

namespace Study.Silo;

/// <summary>`./silo` options (SPEC §3); each also an environment variable STUDY_&lt;NAME&gt; (e.g. STUDY_SLOTS).</summary>
public sealed record SiloOptions
{
    public string? Cluster { get; init; }
    public int? Slots { get; init; }
    public int SlotsPerGpu { get; init; } = 1;
    /// <summary>null: processes on GPU slots, threads on CPU slots.</summary>
    public Grains.Running.SlotIsolation? SlotIsolation { get; init; }
    public int? ThreadsPerSlot { get; init; }
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public string Artifacts { get; init; } = Path.Combine("studies", "artifacts");
    public int? MetricsPort { get; init; }
    /// <summary>Without --cluster: the embedded store this development silo keeps studies in.</summary>
    public string Store { get; init; } = Path.Combine("studies", "studies.db");
    /// <summary>Without --cluster: the primary silo's port of the development cluster (default: this silo is primary).</summary>
    public int? PrimaryPort { get; init; }
    public string? Name { get; init; }
    /// <summary>With --cluster: the address other silos and clients reach this one at (default: the host name's).</summary>
    public string? Advertise { get; init; }

    static readonly string[] Names = ["cluster", "slots", "slots-per-gpu", "slot-isolation", "threads-per-slot", "silo-port", "gateway-port", "artifacts", "metrics-port", "store", "primary-port", "name", "advertise"];

    public const string Usage = """
        usage: ./silo [options]     (each option also an environment variable STUDY_<NAME>, e.g. STUDY_SLOTS=2)
          --cluster CONN            PostgreSQL connection string of the cluster (absent: single-machine development clustering)
          --slots N                 accelerator slots (default: GPUs × slots per GPU; 1 without any; 0 hosts no trial)
          --slots-per-gpu K         trials at once per GPU (default 1); slot i trains on cuda:(i mod GPUs)
          --slot-isolation MODE     process (a worker process per slot) or thread (default: process on GPUs, thread on CPUs)
          --threads-per-slot N      torch threads per trial (default: the cores / slots)
          --silo-port P             silo-to-silo port (default 11111)
          --gateway-port P          client gateway port (default 30000)
          --artifacts DIR           checkpoints, shared by all silos of a cluster (default ./studies/artifacts)
          --metrics-port P          Prometheus /metrics and /healthz on this port
          --store PATH              development clustering only: the embedded store (default ./studies/studies.db)
          --primary-port P          development clustering only: the primary silo's port, when this one is not it
          --name NAME               silo name (default: the host name and port)
          --advertise IP            with --cluster: the address others reach this silo at (default: the host name's)
        """;

    /// <exception cref="ArgumentException">bad input, naming the option</exception>
    public static SiloOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>();
        foreach (var name in Names)
            if (Environment.GetEnvironmentVariable("STUDY_" + name.Replace('-', '_').ToUpperInvariant()) is { Length: > 0 } env) values[name] = env;
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--")) throw new ArgumentException($"unexpected argument '{arg}'");
            var name = arg[2..];
            string? value = null;
            if (name.Contains('=')) (name, value) = (name[..name.IndexOf('=')], name[(name.IndexOf('=') + 1)..]);
            if (!Names.Contains(name)) throw new ArgumentException($"unknown option --{name}");
            value ??= i + 1 < args.Count ? args[++i] : throw new ArgumentException($"--{name} needs a value");
            values[name] = value;
        }
        int? Int(string name, int min, int max)
        {
            if (!values.TryGetValue(name, out var text)) return null;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                throw new ArgumentException($"--{name}: '{text}' must be a whole number from {min} to {max}");
            return v;
        }
        return new SiloOptions
        {
            Cluster = values.GetValueOrDefault("cluster"),
            Slots = Int("slots", 0, 64),
            SlotsPerGpu = Int("slots-per-gpu", 1, 64) ?? 1,
            SlotIsolation = Grains.Running.RuntimeOptions.ParseIsolation(values.GetValueOrDefault("slot-isolation")),
            ThreadsPerSlot = Int("threads-per-slot", 1, 1024),
            SiloPort = Int("silo-port", 1, 65535) ?? 11111,
            GatewayPort = Int("gateway-port", 1, 65535) ?? 30000,
            Artifacts = values.GetValueOrDefault("artifacts") ?? Path.Combine("studies", "artifacts"),
            MetricsPort = Int("metrics-port", 1, 65535),
            Store = values.GetValueOrDefault("store") ?? Path.Combine("studies", "studies.db"),
            PrimaryPort = Int("primary-port", 1, 65535),
            Name = values.GetValueOrDefault("name"),
            Advertise = values.GetValueOrDefault("advertise"),
        };
    }
}
