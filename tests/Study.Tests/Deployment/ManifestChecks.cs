using static Study.Tests.Deployment.Manifests;

namespace Study.Tests.Deployment;

/// <summary>
/// Structural checks of a rendered overlay. Each returns the problems it finds (empty: none), so that a test shows
/// all of them at once and the checks themselves can be tested on broken copies.
/// </summary>
public static partial class ManifestChecks
{
    public const int MetricsPort = 9464, SiloPort = 11111, GatewayPort = 30000;

    /// <summary>
    /// The silo's host allows itself 25 s to stop (Silo/Program.cs: HostOptions.ShutdownTimeout), in which each
    /// running trial checkpoints; a big model's checkpoint on a busy node, the worker processes' exit and Orleans'
    /// goodbye need room beyond that, so the kubelet must wait at least 60 s before SIGKILL.
    /// </summary>
    public const int MinimumGraceSeconds = 60;

    public static readonly Dictionary<string, string[]> MonitoringConfigMaps = new()
    {
        ["study-grafana-dashboards"] = ["study.json", "cluster.json"],
        ["study-grafana-datasources"] = ["datasources.yaml"],
        ["study-grafana-dashboard-provider"] = ["dashboards.yaml"],
        ["study-prometheus-config"] = ["prometheus.yml"],
        ["study-otel-collector-config"] = ["collector.yaml"],
    };

    public static IEnumerable<string> Namespaces(Manifests m)
    {
        if (m.Find("Namespace", "study") is null) yield return "no Namespace study";
        foreach (var o in m.Objects.Where(o => Kind(o) != "Namespace" && Str(o, "metadata", "namespace") != "study"))
            yield return $"{Id(o)} is not in namespace study";
    }

    public static IEnumerable<string> ServicePorts(Manifests m)
    {
        var expected = new Dictionary<string, int[]>
        {
            ["postgres"] = [5432], ["prometheus"] = [9090], ["otel-collector"] = [4317, 4318, 8889], ["grafana"] = [3000],
            ["aspire-dashboard"] = [18888, 18889],
            ["study-silo-headless"] = [MetricsPort], ["study-gateway"] = [GatewayPort],
        };
        foreach (var (name, ports) in expected)
        {
            var service = m.Find("Service", name);
            if (service is null) { yield return $"no Service {name}"; continue; }
            var have = List(At(service, "spec", "ports")).Select(p => int.Parse(Str(p, "port")!)).ToHashSet();
            foreach (var p in ports.Where(p => !have.Contains(p))) yield return $"Service {name} lacks port {p}";
        }
        if (m.Find("Service", "study-silo-headless") is { } headless && Str(headless, "spec", "clusterIP") != "None")
            yield return "study-silo-headless is not headless (clusterIP: None)";
    }

    public static IEnumerable<string> MonitoringConfig(Manifests m)
    {
        foreach (var (name, keys) in MonitoringConfigMaps)
        {
            var map = m.Find("ConfigMap", name);
            if (map is null) { yield return $"no ConfigMap {name} (dashboards/kustomization.yaml)"; continue; }
            foreach (var k in keys.Where(k => !Map(At(map, "data")).ContainsKey(k))) yield return $"ConfigMap {name} lacks key {k}";
        }
        var mounts = new (string Workload, string ConfigMap, string Path)[]
        {
            ("grafana", "study-grafana-dashboards", "/var/lib/grafana/dashboards"),
            ("grafana", "study-grafana-datasources", "/etc/grafana/provisioning/datasources"),
            ("grafana", "study-grafana-dashboard-provider", "/etc/grafana/provisioning/dashboards"),
            ("prometheus", "study-prometheus-config", "/etc/prometheus"),
            ("otel-collector", "study-otel-collector-config", "/etc/otelcol"),
        };
        foreach (var (workload, configMap, path) in mounts)
            if (!ConfigMapMounts(m, workload).Contains((configMap, path))) yield return $"{workload} does not mount {configMap} at {path}";
        var args = (string workload) => Containers(m.PodOf("Deployment", workload).Pod).SelectMany(c => List(c.GetValueOrDefault("args"))).Cast<string>().ToList();
        foreach (var a in new[] { "--config.file=/etc/prometheus/prometheus.yml", "--enable-feature=otlp-write-receiver" }.Where(a => !args("prometheus").Contains(a)))
            yield return $"prometheus lacks {a}";
        if (!args("otel-collector").Contains("--config=/etc/otelcol/collector.yaml")) yield return "otel-collector lacks --config=/etc/otelcol/collector.yaml";
    }

    static HashSet<(string, string)> ConfigMapMounts(Manifests m, string deployment)
    {
        var pod = m.PodOf("Deployment", deployment).Pod;
        var volumes = List(pod.GetValueOrDefault("volumes")).Select(Map).Where(v => Str(v, "configMap", "name") is not null)
            .ToDictionary(v => Str(v, "name")!, v => Str(v, "configMap", "name")!);
        return Containers(pod).SelectMany(c => List(c.GetValueOrDefault("volumeMounts")).Select(Map))
            .Where(vm => volumes.ContainsKey(Str(vm, "name")!)).Select(vm => (volumes[Str(vm, "name")!], Str(vm, "mountPath")!)).ToHashSet();
    }

    public static IEnumerable<string> SiloProbes(Manifests m)
    {
        var silo = m.SiloContainer;
        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz") })
        {
            var get = At(silo, probe, "httpGet");
            if (get is null) { yield return $"silo has no {probe} with httpGet"; continue; }
            if (Str(get, "path") != path) yield return $"silo {probe} is on {Str(get, "path")}, not {path}";
            if (Port(silo, At(get, "port")) != MetricsPort) yield return $"silo {probe} is not on the metrics port {MetricsPort}";
        }
        foreach (var (name, port, variable) in new[] { ("silo", SiloPort, "STUDY_SILO_PORT"), ("gateway", GatewayPort, "STUDY_GATEWAY_PORT"), ("metrics", MetricsPort, "STUDY_METRICS_PORT") })
        {
            if (Port(silo, name) != port) yield return $"silo has no container port {name} = {port}";
            if (Env(silo, variable) != port.ToString()) yield return $"silo {variable} is {Env(silo, variable)}, not {port}";
        }
        if (Env(silo, "STUDY_METRICS_ADDRESS") != "0.0.0.0") yield return "STUDY_METRICS_ADDRESS is not 0.0.0.0 (probes and Prometheus come from outside the pod)";
    }

    public static IEnumerable<string> SiloSettings(Manifests m)
    {
        var silo = m.SiloContainer;
        foreach (var (variable, field) in new[] { ("STUDY_ADVERTISE", "status.podIP"), ("STUDY_NAME", "metadata.name") })
            if (Str(EnvEntry(silo, variable), "valueFrom", "fieldRef", "fieldPath") != field) yield return $"{variable} is not the downward API's {field}";
        if (Str(EnvEntry(silo, "STUDY_CLUSTER"), "valueFrom", "secretKeyRef", "name") is null) yield return "STUDY_CLUSTER does not come from a Secret";
        var expected = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://otel-collector:4317", ["OTEL_METRICS_EXPORTER"] = "prometheus,otlp",
            ["OTEL_TRACES_EXPORTER"] = "otlp", ["OTEL_LOGS_EXPORTER"] = "otlp",
        };
        foreach (var (k, v) in expected.Where(p => Env(silo, p.Key) != p.Value)) yield return $"silo {k} is {Env(silo, k)}, not {v}";
        if (string.IsNullOrEmpty(Env(silo, "OTEL_SERVICE_NAME"))) yield return "silo has no OTEL_SERVICE_NAME";
        // The artifacts folder: a ReadWriteMany claim mounted where STUDY_ARTIFACTS says; /tmp an emptyDir.
        var mounts = List(silo.GetValueOrDefault("volumeMounts")).Select(Map).ToDictionary(v => Str(v, "mountPath")!, v => Str(v, "name")!);
        var volumes = List(m.SiloPod.GetValueOrDefault("volumes")).Select(Map).ToDictionary(v => Str(v, "name")!);
        var artifacts = Env(silo, "STUDY_ARTIFACTS") ?? "(unset)";
        var claim = mounts.TryGetValue(artifacts, out var av) ? Str(volumes.GetValueOrDefault(av), "persistentVolumeClaim", "claimName") : null;
        if (claim is null) yield return $"STUDY_ARTIFACTS {artifacts} is not a mounted PersistentVolumeClaim";
        else if (!List(At(m.Find("PersistentVolumeClaim", claim), "spec", "accessModes")).Contains("ReadWriteMany"))
            yield return $"PersistentVolumeClaim {claim} is not ReadWriteMany";
        if (!mounts.TryGetValue("/tmp", out var tv) || At(volumes.GetValueOrDefault(tv), "emptyDir") is null) yield return "silo /tmp is not an emptyDir";
    }

    public static IEnumerable<string> Grace(Manifests m)
    {
        var grace = Str(m.SiloPod, "terminationGracePeriodSeconds");
        if (grace is null || int.Parse(grace) < MinimumGraceSeconds)
            yield return $"silo terminationGracePeriodSeconds is {grace ?? "the default 30"}, under {MinimumGraceSeconds}";
    }

    /// <summary>Every container of every workload: non-root with a numeric uid, read-only root, no privilege, nothing kept.</summary>
    public static IEnumerable<string> Security(Manifests m)
    {
        foreach (var (owner, _, pod) in m.Pods)
            foreach (var c in Containers(pod))
            {
                var where = $"{Id(owner)} container {Str(c, "name")}";
                string? Effective(string key) => Str(c, "securityContext", key) ?? Str(pod, "securityContext", key);
                if (Effective("runAsNonRoot") != "true") yield return $"{where}: runAsNonRoot is not true";
                if (!int.TryParse(Effective("runAsUser"), out var uid) || uid == 0) yield return $"{where}: no numeric non-zero runAsUser";
                if (Str(c, "securityContext", "readOnlyRootFilesystem") != "true") yield return $"{where}: root filesystem not read-only";
                if (Str(c, "securityContext", "allowPrivilegeEscalation") != "false") yield return $"{where}: allowPrivilegeEscalation is not false";
                if (!List(At(c, "securityContext", "capabilities", "drop")).Contains("ALL")) yield return $"{where}: capabilities do not drop ALL";
                if ((Str(c, "securityContext", "seccompProfile", "type") ?? Str(pod, "securityContext", "seccompProfile", "type")) != "RuntimeDefault")
                    yield return $"{where}: seccompProfile is not RuntimeDefault";
                if (Str(c, "securityContext", "privileged") == "true") yield return $"{where}: privileged";
            }
    }

    public static IEnumerable<string> Resources(Manifests m)
    {
        foreach (var (owner, _, pod) in m.Pods)
            foreach (var c in Containers(pod))
                foreach (var kind in new[] { "requests", "limits" })
                    foreach (var r in new[] { "cpu", "memory" }.Where(r => Str(c, "resources", kind, r) is null))
                        yield return $"{Id(owner)} container {Str(c, "name")}: no {kind}.{r}";
    }

    public static IEnumerable<string> Labels(Manifests m)
    {
        foreach (var (owner, labels, _) in m.Pods)
            foreach (var key in new[] { "app.kubernetes.io/name", "app.kubernetes.io/component" }.Where(k => labels.GetValueOrDefault(k) is null))
                yield return $"{Id(owner)}: pods lack the label {key}";
        foreach (var o in m.Objects.Where(o => Str(o, "metadata", "labels", "app.kubernetes.io/part-of") != "study"))
            yield return $"{Id(o)} lacks app.kubernetes.io/part-of=study";
        foreach (var (owner, labels, _) in m.Pods.Where(p => p.Labels.GetValueOrDefault("app.kubernetes.io/part-of") as string != "study"))
            yield return $"{Id(owner)}: pods lack app.kubernetes.io/part-of=study";
    }

    public static IEnumerable<string> Disruption(Manifests m)
    {
        var budgets = m.OfKind("PodDisruptionBudget").ToList();
        var silo = m.PodOf("Deployment", "study-silo").Labels;
        if (!budgets.Any(b => Selects(At(b, "spec", "selector"), silo))) yield return "no PodDisruptionBudget selects the silo pods";
        foreach (var b in budgets)
            foreach (var (owner, labels, _) in m.Pods.Where(p => Name(p.Owner) != "study-silo" && Selects(At(b, "spec", "selector"), p.Labels)))
                yield return $"PodDisruptionBudget {Name(b)} also selects {Id(owner)}";
    }
}
