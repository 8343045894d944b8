using System.Text;
using static Study.Tests.Deployment.Manifests;

namespace Study.Tests.Deployment;

/// <summary>How the rendered objects refer to each other: references, images, selectors, network policies, GPUs, the client Job.</summary>
public static partial class ManifestChecks
{
    /// <summary>A Secret's value: stringData as written, data decoded.</summary>
    public static string? SecretValue(Manifests m, string name, string key)
    {
        var secret = m.Find("Secret", name);
        if (Str(secret, "stringData", key) is { } plain) return plain;
        return Str(secret, "data", key) is { } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
    }

    static bool HasKey(Manifests m, string kind, string name, string key) =>
        kind == "Secret" ? SecretValue(m, name, key) is not null
        : Map(At(m.Find("ConfigMap", name), "data")).ContainsKey(key) || Map(At(m.Find("ConfigMap", name), "binaryData")).ContainsKey(key);

    /// <summary>Every Secret, ConfigMap and claim a pod names exists, with the keys it names.</summary>
    public static IEnumerable<string> References(Manifests m)
    {
        foreach (var (owner, _, pod) in m.Pods)
        {
            var where = Id(owner);
            var claimTemplates = List(At(owner, "spec", "volumeClaimTemplates")).Select(t => Str(t, "metadata", "name")!).ToHashSet();
            foreach (var c in Containers(pod))
            {
                foreach (var e in List(c.GetValueOrDefault("env")).Select(Map))
                    foreach (var (refKind, kind) in new[] { ("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap") })
                        if (At(e, "valueFrom", refKind) is { } r && Str(r, "optional") != "true" && !HasKey(m, kind, Str(r, "name")!, Str(r, "key")!))
                            yield return $"{where}: env {Str(e, "name")} names {kind} {Str(r, "name")} key {Str(r, "key")}, which is not rendered";
                foreach (var e in List(c.GetValueOrDefault("envFrom")).Select(Map))
                    foreach (var (refKind, kind) in new[] { ("secretRef", "Secret"), ("configMapRef", "ConfigMap") })
                        if (Str(e, refKind, "name") is { } n && m.Find(kind, n) is null) yield return $"{where}: envFrom names {kind} {n}, which is not rendered";
                var volumeNames = List(pod.GetValueOrDefault("volumes")).Select(v => Str(v, "name")!).Concat(claimTemplates).ToHashSet();
                foreach (var vm in List(c.GetValueOrDefault("volumeMounts")).Select(Map).Where(vm => !volumeNames.Contains(Str(vm, "name")!)))
                    yield return $"{where}: container {Str(c, "name")} mounts volume {Str(vm, "name")}, which the pod lacks";
            }
            foreach (var v in List(pod.GetValueOrDefault("volumes")).Select(Map))
            {
                var sources = new List<(string Kind, string? Name, object? Items)>
                {
                    ("ConfigMap", Str(v, "configMap", "name"), At(v, "configMap", "items")),
                    ("Secret", Str(v, "secret", "secretName"), At(v, "secret", "items")),
                    ("PersistentVolumeClaim", Str(v, "persistentVolumeClaim", "claimName"), null),
                };
                foreach (var p in List(At(v, "projected", "sources")))
                    sources.AddRange([("ConfigMap", Str(p, "configMap", "name"), At(p, "configMap", "items")), ("Secret", Str(p, "secret", "name"), At(p, "secret", "items"))]);
                foreach (var (kind, name, items) in sources.Where(s => s.Name is not null))
                {
                    if (m.Find(kind, name!) is null) { yield return $"{where}: volume {Str(v, "name")} names {kind} {name}, which is not rendered"; continue; }
                    foreach (var key in List(items).Select(i => Str(i, "key")!).Where(k => !HasKey(m, kind, name!, k)))
                        yield return $"{where}: volume {Str(v, "name")} names key {key} of {kind} {name}, which it lacks";
                }
            }
        }
    }

    /// <summary>Every image has a pinned tag; the project's own images (by their last path segment) are those the Dockerfiles name.</summary>
    public static IEnumerable<string> Images(Manifests m, string siloImage, string clientImage, IEnumerable<string> dockerfileImages)
    {
        var own = dockerfileImages.ToHashSet();
        foreach (var (owner, labels, pod) in m.Pods)
            foreach (var c in Containers(pod))
            {
                var image = Str(c, "image") ?? "";
                var colon = image.LastIndexOf(':');
                var (reference, tag) = colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "");
                var name = reference[(reference.LastIndexOf('/') + 1)..]; // a registry and path in front are the operator's
                if (tag is "" or "latest") yield return $"{Id(owner)} container {Str(c, "name")}: image {image} has no pinned tag";
                if (name.StartsWith("tau-study", StringComparison.Ordinal) && !own.Contains(name))
                    yield return $"{Id(owner)} container {Str(c, "name")}: image {name} is built by no Dockerfile (# image: line)";
                var component = labels.GetValueOrDefault("app.kubernetes.io/component") as string;
                var expected = component == "silo" ? siloImage : component == "client" ? clientImage : null;
                if (expected is not null && name != expected) yield return $"{Id(owner)} container {Str(c, "name")}: image {name}, not {expected}";
            }
    }

    /// <summary>Each Service selects pods that exist and have the ports it targets.</summary>
    public static IEnumerable<string> ServiceSelectors(Manifests m)
    {
        foreach (var service in m.OfKind("Service"))
        {
            var selector = At(service, "spec", "selector");
            if (Map(selector).Count == 0) { yield return $"Service {Name(service)} has no selector"; continue; }
            var pods = m.Pods.Where(p => Selects(selector, p.Labels)).ToList();
            if (pods.Count == 0) { yield return $"Service {Name(service)} selects no pod"; continue; }
            foreach (var port in List(At(service, "spec", "ports")).Select(Map))
            {
                var target = port.GetValueOrDefault("targetPort") ?? port.GetValueOrDefault("port");
                var wanted = Str(port, "port");
                foreach (var (owner, _, pod) in pods.Where(p => !Containers(p.Pod).Any(c => Port(c, target) is { } n
                             && List(c.GetValueOrDefault("ports")).Any(cp => Str(cp, "containerPort") == n.ToString()))))
                    yield return $"Service {Name(service)} port {wanted} targets {target}, which {Id(owner)} does not expose";
            }
        }
    }

    /// <summary>Whether the ingress policies let pods with these labels reach a pod with those on this port.</summary>
    public static bool Allowed(Manifests m, Dictionary<string, object?> from, Dictionary<string, object?> to, int port)
    {
        var policies = m.OfKind("NetworkPolicy").Where(p => Selects(At(p, "spec", "podSelector"), to)
            && (At(p, "spec", "policyTypes") is null || List(At(p, "spec", "policyTypes")).Contains("Ingress"))).ToList();
        if (policies.Count == 0) return true;
        return policies.SelectMany(p => List(At(p, "spec", "ingress")).Select(Map)).Any(rule =>
            (!rule.ContainsKey("from") || List(rule["from"]).Any(peer => At(peer, "podSelector") is { } s && At(peer, "namespaceSelector") is null && Selects(s, from)))
            && (!rule.ContainsKey("ports") || List(rule["ports"]).Any(p => Str(p, "port") == port.ToString())));
    }

    public static IEnumerable<string> NetworkPolicies(Manifests m)
    {
        foreach (var policy in m.OfKind("NetworkPolicy"))
        {
            if (!m.Pods.Any(p => Selects(At(policy, "spec", "podSelector"), p.Labels))) yield return $"NetworkPolicy {Name(policy)} selects no pod";
            foreach (var peer in List(At(policy, "spec", "ingress")).SelectMany(r => List(At(r, "from"))).Where(p => At(p, "podSelector") is not null))
                if (!m.Pods.Any(p => Selects(At(peer, "podSelector"), p.Labels))) yield return $"NetworkPolicy {Name(policy)} allows pods that do not exist: {Describe(At(peer, "podSelector"))}";
        }
        var pod = (string kind, string name) => m.PodOf(kind, name).Labels;
        var (silo, postgres, prometheus, grafana, collector, aspire) = (pod("Deployment", "study-silo"), pod("StatefulSet", "postgres"),
            pod("Deployment", "prometheus"), pod("Deployment", "grafana"), pod("Deployment", "otel-collector"), pod("Deployment", "aspire-dashboard"));
        var client = m.Pods.First(p => Kind(p.Owner) == "Job").Labels;
        var expectations = new (string From, Dictionary<string, object?> FromLabels, string To, Dictionary<string, object?> ToLabels, int Port, bool Allowed)[]
        {
            ("silo", silo, "silo", silo, SiloPort, true), ("silo", silo, "silo", silo, GatewayPort, true),
            ("client", client, "silo", silo, GatewayPort, true), ("client", client, "silo", silo, SiloPort, false),
            ("prometheus", prometheus, "silo", silo, MetricsPort, true), ("grafana", grafana, "silo", silo, SiloPort, false),
            ("prometheus", prometheus, "silo", silo, GatewayPort, false), ("client", client, "silo", silo, MetricsPort, false),
            ("silo", silo, "postgres", postgres, 5432, true), ("client", client, "postgres", postgres, 5432, true),
            ("grafana", grafana, "postgres", postgres, 5432, false), ("prometheus", prometheus, "postgres", postgres, 5432, false),
            ("grafana", grafana, "prometheus", prometheus, 9090, true), ("silo", silo, "prometheus", prometheus, 9090, false),
            ("silo", silo, "collector", collector, 4317, true), ("client", client, "collector", collector, 4318, true),
            ("prometheus", prometheus, "collector", collector, 8889, true), ("grafana", grafana, "collector", collector, 4317, false),
            ("silo", silo, "client", client, 8080, false),
            ("collector", collector, "aspire", aspire, 18889, true), ("silo", silo, "aspire", aspire, 18889, false),
            ("client", client, "aspire", aspire, 18889, false),
        };
        foreach (var e in expectations.Where(e => Allowed(m, e.FromLabels, e.ToLabels, e.Port) != e.Allowed))
            yield return $"{e.From} -> {e.To}:{e.Port} is {(e.Allowed ? "denied" : "allowed")}, should be {(e.Allowed ? "allowed" : "denied")}";
    }

    static string Describe(object? node) => node is Dictionary<string, object?> d ? "{" + string.Join(", ", d.Select(p => $"{p.Key}: {Describe(p.Value)}")) + "}" : node?.ToString() ?? "null";

    /// <summary>gpu: GPUs, GPU nodes and process slots on the silo; cpu: none of them anywhere. Threads fit the CPU limit.</summary>
    public static IEnumerable<string> Accelerators(Manifests m, bool gpu)
    {
        var silo = m.SiloContainer;
        var gpus = Str(silo, "resources", "limits", "nvidia.com/gpu");
        var tolerations = List(m.SiloPod.GetValueOrDefault("tolerations")).Select(Map).ToList();
        var slots = gpu ? int.Parse(Env(silo, "STUDY_SLOTS_PER_GPU") ?? "0") * int.Parse(gpus ?? "0") : int.Parse(Env(silo, "STUDY_SLOTS") ?? "0");
        if (slots < 1) yield return "the silo has no slots (STUDY_SLOTS, or STUDY_SLOTS_PER_GPU × nvidia.com/gpu)";
        var cpu = Str(silo, "resources", "limits", "cpu") ?? "0";
        var cores = cpu.EndsWith('m') ? int.Parse(cpu[..^1]) / 1000.0 : double.Parse(cpu, System.Globalization.CultureInfo.InvariantCulture);
        if (slots * int.Parse(Env(silo, "STUDY_THREADS_PER_SLOT") ?? "1") > Math.Ceiling(cores)) yield return $"{slots} slot(s) × STUDY_THREADS_PER_SLOT exceed the CPU limit {cpu}";
        if (gpu)
        {
            if (gpus is null || int.Parse(gpus) < 1) yield return "gpu: the silo has no nvidia.com/gpu limit";
            if (Map(m.SiloPod.GetValueOrDefault("nodeSelector")).Count == 0) yield return "gpu: the silo has no nodeSelector";
            if (!tolerations.Any(t => Str(t, "key") == "nvidia.com/gpu")) yield return "gpu: the silo does not tolerate nvidia.com/gpu taints";
            if (Env(silo, "STUDY_SLOT_ISOLATION") != "process") yield return "gpu: STUDY_SLOT_ISOLATION is not process";
            yield break;
        }
        foreach (var (owner, _, pod) in m.Pods)
            foreach (var c in Containers(pod).Where(c => Map(At(c, "resources", "limits")).ContainsKey("nvidia.com/gpu") || Map(At(c, "resources", "requests")).ContainsKey("nvidia.com/gpu")))
                yield return $"cpu: {Id(owner)} container {Str(c, "name")} asks for nvidia.com/gpu";
        if (Map(m.SiloPod.GetValueOrDefault("nodeSelector")).Count > 0) yield return "cpu: the silo has a nodeSelector";
        if (tolerations.Count > 0) yield return "cpu: the silo has tolerations";
        if (Env(silo, "STUDY_SLOTS_PER_GPU") is not null) yield return "cpu: STUDY_SLOTS_PER_GPU is set";
        if (Env(silo, "STUDY_SLOT_ISOLATION") is not (null or "thread")) yield return "cpu: STUDY_SLOT_ISOLATION is not thread";
    }
}
