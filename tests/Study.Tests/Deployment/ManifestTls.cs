using static Study.Tests.Deployment.Manifests;

namespace Study.Tests.Deployment;

/// <summary>TLS in the manifests: which files of which Secret the silos and the client Job read, and who gets the
/// cluster secret.</summary>
public static partial class ManifestChecks
{
    public static readonly string[] SiloTlsVariables = ["STUDY_TLS_CA", "STUDY_TLS_CERTIFICATE", "STUDY_TLS_KEY", "STUDY_CLUSTER_SECRET"];
    public static readonly string[] ClientTlsVariables = ["STUDY_TLS_CA", "STUDY_TLS_CERTIFICATE", "STUDY_TLS_KEY"];
    const string ClusterSecretKey = "cluster-secret";

    public static (Dictionary<string, object?> Pod, Dictionary<string, object?> Container) ClientJob(Manifests m)
    {
        var pod = m.PodOf("Job", "study-default").Pod;
        return (pod, Containers(pod).Single(c => Str(c, "name") == "study"));
    }

    /// <summary>The Secret file a path in a container falls on: its volume, the mount, the Secret and its key.</summary>
    static (Dictionary<string, object?> Volume, Dictionary<string, object?> Mount, string Secret, string Key, string Relative)? SecretFileAt(
        Dictionary<string, object?> pod, Dictionary<string, object?> container, string path)
    {
        foreach (var mount in List(container.GetValueOrDefault("volumeMounts")).Select(Map))
        {
            var at = Str(mount, "mountPath")!.TrimEnd('/') + "/";
            if (!path.StartsWith(at, StringComparison.Ordinal)) continue;
            var volume = List(pod.GetValueOrDefault("volumes")).Select(Map).FirstOrDefault(v => Str(v, "name") == Str(mount, "name"));
            if (Str(volume, "secret", "secretName") is not { } secret) return null;
            var relative = path[at.Length..];
            var items = List(At(volume, "secret", "items")).Select(Map).ToList();
            var key = items.Count == 0 ? relative : items.Where(i => Str(i, "path") == relative).Select(i => Str(i, "key")).FirstOrDefault();
            return key is null ? null : (volume!, mount, secret, key, relative);
        }
        return null;
    }

    /// <summary>Silos and the client Job read their certificates (and the silos the cluster secret) from read-only
    /// Secret volumes that no other user in the pod can read; silos require client certificates; no pod but the
    /// silos' mounts or names the cluster secret.</summary>
    public static IEnumerable<string> Tls(Manifests m)
    {
        var (jobPod, job) = ClientJob(m);
        foreach (var (who, pod, container, variables) in new[] { ("silo", m.SiloPod, m.SiloContainer, SiloTlsVariables), ("client Job", jobPod, job, ClientTlsVariables) })
        {
            foreach (var variable in variables)
            {
                if (Env(container, variable) is not { } path) { yield return $"{who}: {variable} is not set"; continue; }
                if (SecretFileAt(pod, container, path) is not { } file) { yield return $"{who}: {variable} {path} is not a file of a mounted Secret"; continue; }
                if (!HasKey(m, "Secret", file.Secret, file.Key)) yield return $"{who}: {variable} {path}: Secret {file.Secret} has no key {file.Key}";
                if (Str(file.Mount, "readOnly") != "true") yield return $"{who}: the Secret volume {Str(file.Volume, "name")} is not mounted read-only";
                if (!int.TryParse(Str(file.Volume, "secret", "defaultMode"), out var mode) || (mode & 0b111) != 0)
                    yield return $"{who}: Secret volume {Str(file.Volume, "name")} lets other users read it (defaultMode)";
                if (Str(pod, "securityContext", "fsGroup") is null) yield return $"{who}: no fsGroup, so its user cannot read a group-only Secret volume";
            }
        }
        if (Env(m.SiloContainer, "STUDY_TLS_REQUIRE_CLIENT_CERTIFICATE") != "true") yield return "silos do not require client certificates";
        foreach (var (owner, _, pod) in m.Pods.Where(p => !(Kind(p.Owner) == "Deployment" && Name(p.Owner) == "study-silo")))
        {
            foreach (var volume in List(pod.GetValueOrDefault("volumes")).Select(Map))
                if (Str(volume, "secret", "secretName") is { } secret && HasKey(m, "Secret", secret, ClusterSecretKey))
                    yield return $"{Id(owner)} mounts Secret {secret}, which holds the cluster secret";
            foreach (var c in Containers(pod))
                foreach (var e in List(c.GetValueOrDefault("env")).Select(Map).Where(e => Str(e, "valueFrom", "secretKeyRef", "key") == ClusterSecretKey))
                    yield return $"{Id(owner)}: env {Str(e, "name")} is the cluster secret";
        }
    }

    /// <summary>A container's TLS settings as they would be on a node: the files of its Secret volumes written
    /// under <paramref name="root"/> (from the rendered Secrets), and its STUDY_TLS_*, STUDY_CLUSTER_SECRET and
    /// STUDY_CLIENT_PASSWORD variables pointing at them.</summary>
    public static Dictionary<string, string> LocalTlsEnvironment(Manifests m, Dictionary<string, object?> pod, Dictionary<string, object?> container, string root)
    {
        var environment = new Dictionary<string, string>();
        foreach (var e in List(container.GetValueOrDefault("env")).Select(Map))
        {
            if (Str(e, "name") is not { } name || !(name.StartsWith("STUDY_TLS_") || name is "STUDY_CLUSTER_SECRET" or "STUDY_CLIENT_PASSWORD") || Str(e, "value") is not { } value) continue;
            if (SecretFileAt(pod, container, value) is { } file)
            {
                var local = Path.Combine(root, Str(file.Volume, "name")!, file.Relative);
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                File.WriteAllText(local, SecretValue(m, file.Secret, file.Key) ?? throw new KeyNotFoundException($"Secret {file.Secret} key {file.Key}"));
                value = local;
            }
            environment[name] = value;
        }
        return environment;
    }
}
