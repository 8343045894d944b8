using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Study.Tests.Deployment;

/// <summary>The objects `kustomize build k8s/overlays/NAME` renders, run as a real process, and ways to walk them.
/// It renders a copy of k8s/ and dashboards/ whose k8s/tls holds what `scripts/cluster-certs` makes there, as an
/// operator's checkout does before the first apply.</summary>
public sealed class Manifests
{
    public static readonly string Root = Cli.StudyProcess.RepositoryRoot;
    static readonly ConcurrentDictionary<string, string> Rendered = new();

    public string Overlay { get; }
    public List<Dictionary<string, object?>> Objects { get; }

    Manifests(string overlay, string yaml) => (Overlay, Objects) = (overlay, ManifestYaml.Documents(yaml));

    /// <summary>A fresh parse each call (tests may change what they get); kustomize runs once per overlay.</summary>
    public static Manifests Render(string overlay) => new(overlay, Rendered.GetOrAdd(overlay, Build));

    /// <summary>The copy kustomize renders: k8s/ and dashboards/, with k8s/tls made by scripts/cluster-certs.</summary>
    public static readonly Lazy<string> RenderRoot = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("study-k8s-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, recursive: true); } catch { } };
        foreach (var folder in new[] { "k8s", "dashboards" }) CopyTree(Path.Combine(Root, folder), Path.Combine(root, folder));
        var tls = Path.Combine(root, "k8s", "tls");
        foreach (var made in Directory.GetFiles(tls).Where(f => Path.GetFileName(f) is not ("kustomization.yaml" or ".gitignore"))) File.Delete(made);
        ClusterCerts(tls);
        return root;
    });

    /// <summary>Runs scripts/cluster-certs DIR (openssl): an authority, silo and client certificates, a cluster secret.</summary>
    public static void ClusterCerts(string dir)
    {
        var info = new ProcessStartInfo(Path.Combine(Root, "scripts", "cluster-certs")) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dir);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/cluster-certs {dir} failed ({process.ExitCode}): {stderr.Result}");
    }

    static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from)) CopyTree(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    public static string Build(string overlay)
    {
        var info = new ProcessStartInfo("kustomize") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RenderRoot.Value };
        info.ArgumentList.Add("build");
        info.ArgumentList.Add(Path.Combine("k8s", "overlays", overlay));
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"kustomize cannot start ({e.Message}): run ./test, whose setup installs it", e);
        }
        using var _ = process;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException($"kustomize build {overlay} hung"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"kustomize build k8s/overlays/{overlay} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    // ---- objects ----
    public IEnumerable<Dictionary<string, object?>> OfKind(string kind) => Objects.Where(o => Kind(o) == kind);
    public Dictionary<string, object?>? Find(string kind, string name) => OfKind(kind).FirstOrDefault(o => Name(o) == name);
    public Dictionary<string, object?> Get(string kind, string name) => Find(kind, name) ?? throw new KeyNotFoundException($"{Overlay}: no {kind} {name}");

    public static string Kind(Dictionary<string, object?> o) => Str(o, "kind") ?? "";
    public static string Name(Dictionary<string, object?> o) => Str(o, "metadata", "name") ?? "";
    public static string Id(Dictionary<string, object?> o) => $"{Kind(o)}/{Name(o)}";

    static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"];

    /// <summary>Every workload with its pod template's labels and pod spec.</summary>
    public IEnumerable<(Dictionary<string, object?> Owner, Dictionary<string, object?> Labels, Dictionary<string, object?> Pod)> Pods =>
        Objects.Where(o => WorkloadKinds.Contains(Kind(o)) || Kind(o) == "CronJob").Select(o =>
        {
            var template = Kind(o) == "CronJob" ? At(o, "spec", "jobTemplate", "spec", "template") : At(o, "spec", "template");
            return (o, Map(At(template, "metadata", "labels")), Map(At(template, "spec")));
        });

    public (Dictionary<string, object?> Owner, Dictionary<string, object?> Labels, Dictionary<string, object?> Pod) PodOf(string kind, string name) =>
        Pods.Single(p => Kind(p.Owner) == kind && Name(p.Owner) == name);

    public static IEnumerable<Dictionary<string, object?>> Containers(Dictionary<string, object?> pod) =>
        List(pod.GetValueOrDefault("initContainers")).Concat(List(pod.GetValueOrDefault("containers"))).Select(Map);

    public Dictionary<string, object?> SiloPod => PodOf("Deployment", "study-silo").Pod;
    public Dictionary<string, object?> SiloContainer => Containers(SiloPod).Single(c => Str(c, "name") == "silo");

    public static string? Env(Dictionary<string, object?> container, string name) =>
        List(container.GetValueOrDefault("env")).Select(Map).Where(e => Str(e, "name") == name).Select(e => Str(e, "value")).FirstOrDefault();

    public static Dictionary<string, object?>? EnvEntry(Dictionary<string, object?> container, string name) =>
        List(container.GetValueOrDefault("env")).Select(Map).FirstOrDefault(e => Str(e, "name") == name);

    /// <summary>A port given by number or by the name of one of the container's ports, as a number.</summary>
    public static int? Port(Dictionary<string, object?> container, object? port) =>
        port is string s && int.TryParse(s, out var n) ? n
        : List(container.GetValueOrDefault("ports")).Select(Map).Where(p => Str(p, "name") == port as string)
            .Select(p => (int?)int.Parse(Str(p, "containerPort")!)).FirstOrDefault();

    /// <summary>Whether a label selector (a plain map, or {matchLabels, matchExpressions}) selects these labels.</summary>
    public static bool Selects(object? selector, Dictionary<string, object?> labels)
    {
        var s = Map(selector);
        if (s.ContainsKey("matchLabels") || s.ContainsKey("matchExpressions"))
        {
            foreach (var e in List(s.GetValueOrDefault("matchExpressions")).Select(Map))
            {
                var (key, op, values) = (Str(e, "key")!, Str(e, "operator"), List(e.GetValueOrDefault("values")).Cast<string>().ToList());
                var has = labels.TryGetValue(key, out var v);
                bool ok = op switch
                {
                    "In" => has && values.Contains((string)v!), "NotIn" => !has || !values.Contains((string)v!),
                    "Exists" => has, "DoesNotExist" => !has, _ => throw new FormatException($"operator {op}"),
                };
                if (!ok) return false;
            }
            s = Map(s.GetValueOrDefault("matchLabels"));
        }
        return s.All(p => labels.TryGetValue(p.Key, out var v) && Equals(v, p.Value));
    }

    // ---- walking parsed YAML ----
    public static object? At(object? node, params string[] path)
    {
        foreach (var key in path) node = node is Dictionary<string, object?> m ? m.GetValueOrDefault(key) : null;
        return node;
    }
    public static string? Str(object? node, params string[] path) => At(node, path) as string;
    public static Dictionary<string, object?> Map(object? node) => node as Dictionary<string, object?> ?? [];
    public static List<object?> List(object? node) => node as List<object?> ?? [];
}

/// <summary>What a Dockerfile says about its image: its name (the `# image: NAME` line), base images, ports, user, entrypoint.</summary>
public sealed record Dockerfile(string Path, string Image, IReadOnlyList<string> Bases, IReadOnlyList<int> Exposed, string? User,
    IReadOnlyList<string> Entrypoint, IReadOnlyDictionary<string, string> Env, string Text)
{
    public static Dockerfile Read(string relativePath)
    {
        var path = System.IO.Path.Combine(Manifests.Root, relativePath);
        var text = File.ReadAllText(path);
        // Continuation lines joined, comments kept apart.
        var logical = Regex.Replace(text, @"\\\r?\n", " ").Split('\n').Select(l => l.Trim()).ToList();
        var image = logical.Select(l => Regex.Match(l, @"^# image: (\S+)$")).FirstOrDefault(m => m.Success)?.Groups[1].Value
            ?? throw new FormatException($"{relativePath}: no '# image: NAME' line");
        var args = new Dictionary<string, string>();
        var bases = new List<string>();
        var exposed = new List<int>();
        var env = new Dictionary<string, string>();
        string? user = null;
        var entrypoint = new List<string>();
        foreach (var line in logical.Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var (word, rest) = (line.Split(' ')[0].ToUpperInvariant(), line.Contains(' ') ? line[(line.IndexOf(' ') + 1)..].Trim() : "");
            switch (word)
            {
                case "ARG" when rest.Contains('='): args[rest[..rest.IndexOf('=')]] = rest[(rest.IndexOf('=') + 1)..]; break;
                case "FROM":
                    var from = Regex.Replace(rest.Split(' ')[0], @"\$\{?(\w+)\}?", m => args.GetValueOrDefault(m.Groups[1].Value, m.Value));
                    bases.Add(from); break;
                case "EXPOSE": exposed.AddRange(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Split('/')[0]))); break;
                case "USER": user = rest; break;
                case "ENV":
                    foreach (Match m in Regex.Matches(rest, @"(\w+)=(""[^""]*""|\S*)")) env[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
                    break;
                case "ENTRYPOINT":
                    entrypoint = [.. Regex.Matches(rest, "\"([^\"]*)\"").Select(m => m.Groups[1].Value)];
                    if (entrypoint.Count == 0) throw new FormatException($"{relativePath}: ENTRYPOINT must be in exec form");
                    break;
            }
        }
        return new Dockerfile(relativePath, image, bases, exposed, user, entrypoint, env, text);
    }

    /// <summary>The image of the last stage: what runs.</summary>
    public string RuntimeBase => Bases[^1];
    /// <summary>The numeric uid of USER (uid or uid:gid), or null when it is a name or absent.</summary>
    public int? Uid => User is not null && int.TryParse(User.Split(':')[0], out var uid) ? uid : null;
}
