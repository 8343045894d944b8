using Xunit;
using static Study.Tests.Deployment.Manifests;

namespace Study.Tests.Deployment;

/// <summary>Each structural check finds the fault it is for, on a rendered overlay broken in memory.</summary>
public sealed class KubernetesManifestChecksCanFailTests
{
    static Dictionary<string, object?> Silo(Manifests m) => m.SiloContainer;

    public static TheoryData<string> Faults => new(
        "no readiness probe", "liveness on the wrong path", "advertise the host IP", "short grace period", "budget misses the silos",
        "writable root filesystem", "root user", "missing secret", "missing config map key", "service selects nothing",
        "policy lets grafana reach the silo port", "policy names no pods", "gpu on the cpu overlay", "unpinned image",
        "unknown own image", "missing monitoring config key", "no memory limit", "metrics on loopback", "silo key readable by all",
        "client gets the cluster secret", "client certificate not mounted", "client certificates not required");

    [Theory]
    [MemberData(nameof(Faults))]
    public void EachFaultIsFound(string fault)
    {
        var m = Render("cpu");
        IEnumerable<string> Check() => fault switch
        {
            "no readiness probe" or "liveness on the wrong path" or "metrics on loopback" => ManifestChecks.SiloProbes(m),
            "advertise the host IP" => ManifestChecks.SiloSettings(m),
            "short grace period" => ManifestChecks.Grace(m),
            "budget misses the silos" => ManifestChecks.Disruption(m),
            "writable root filesystem" or "root user" => ManifestChecks.Security(m),
            "missing secret" or "missing config map key" => ManifestChecks.References(m),
            "service selects nothing" => ManifestChecks.ServiceSelectors(m),
            "policy lets grafana reach the silo port" or "policy names no pods" => ManifestChecks.NetworkPolicies(m),
            "gpu on the cpu overlay" => ManifestChecks.Accelerators(m, gpu: false),
            "unpinned image" or "unknown own image" => ManifestChecks.Images(m, "tau-study-silo", "tau-study-client", ["tau-study-silo", "tau-study-client"]),
            "missing monitoring config key" => ManifestChecks.MonitoringConfig(m),
            "no memory limit" => ManifestChecks.Resources(m),
            "silo key readable by all" or "client gets the cluster secret" or "client certificate not mounted" or "client certificates not required"
                => ManifestChecks.Tls(m),
            _ => throw new ArgumentException(fault),
        };
        Assert.Empty(Check()); // the overlay as written passes
        Break(m, fault);
        Assert.NotEmpty(Check());
    }

    static Dictionary<string, object?> TlsVolume(Dictionary<string, object?> pod) =>
        Map(List(pod["volumes"]).Select(Map).Single(v => Str(v, "name") == "tls")["secret"]);

    static void Break(Manifests m, string fault)
    {
        var postgres = Containers(m.PodOf("StatefulSet", "postgres").Pod).Single();
        switch (fault)
        {
            case "no readiness probe": Silo(m).Remove("readinessProbe"); break;
            case "liveness on the wrong path": Map(At(Silo(m), "livenessProbe", "httpGet"))["path"] = "/readyz"; break;
            case "metrics on loopback": EnvEntry(Silo(m), "STUDY_METRICS_ADDRESS")!["value"] = "127.0.0.1"; break;
            case "advertise the host IP": Map(At(EnvEntry(Silo(m), "STUDY_ADVERTISE"), "valueFrom", "fieldRef"))["fieldPath"] = "status.hostIP"; break;
            case "short grace period": m.SiloPod["terminationGracePeriodSeconds"] = "30"; break;
            case "budget misses the silos": Map(At(m.Get("PodDisruptionBudget", "study-silo"), "spec", "selector", "matchLabels"))["app.kubernetes.io/name"] = "silo"; break;
            case "writable root filesystem": Map(postgres["securityContext"])["readOnlyRootFilesystem"] = "false"; break;
            case "root user": Map(m.PodOf("Deployment", "grafana").Pod["securityContext"])["runAsUser"] = "0"; break;
            case "missing secret": Map(At(EnvEntry(Silo(m), "STUDY_CLUSTER"), "valueFrom", "secretKeyRef"))["name"] = "study-db"; break;
            case "missing config map key":
                var presets = List(m.PodOf("Job", "study-default").Pod["volumes"]).Select(Map).Single(v => Str(v, "configMap", "name") == "study-presets");
                Map(presets["configMap"])["items"] = new List<object?> { new Dictionary<string, object?> { ["key"] = "absent.json", ["path"] = "absent.json" } };
                break;
            case "service selects nothing": Map(At(m.Get("Service", "study-gateway"), "spec", "selector"))["app.kubernetes.io/component"] = "gateway"; break;
            case "policy lets grafana reach the silo port":
                var from = List(At(List(At(m.Get("NetworkPolicy", "study-silo"), "spec", "ingress"))[0], "from"));
                from.Add(new Dictionary<string, object?> { ["podSelector"] = new Dictionary<string, object?> { ["matchLabels"] = new Dictionary<string, object?> { ["app.kubernetes.io/name"] = "grafana" } } });
                break;
            case "policy names no pods": Map(At(m.Get("NetworkPolicy", "study-postgres"), "spec", "podSelector", "matchLabels"))["app.kubernetes.io/name"] = "postgresql"; break;
            case "gpu on the cpu overlay": Map(At(Silo(m), "resources", "limits"))["nvidia.com/gpu"] = "1"; break;
            case "unpinned image": postgres["image"] = "postgres:latest"; break;
            case "unknown own image": Silo(m)["image"] = "tau-study-worker:0.1.0"; break;
            case "missing monitoring config key": Map(At(m.Get("ConfigMap", "study-prometheus-config"), "data")).Remove("prometheus.yml"); break;
            case "no memory limit": Map(At(postgres, "resources", "limits")).Remove("memory"); break;
            case "silo key readable by all": TlsVolume(m.SiloPod)["defaultMode"] = "420"; break;
            case "client gets the cluster secret": TlsVolume(ManifestChecks.ClientJob(m).Pod)["secretName"] = Str(TlsVolume(m.SiloPod), "secretName"); break;
            case "client certificate not mounted":
                List(ManifestChecks.ClientJob(m).Container["volumeMounts"]).RemoveAll(v => Str(v, "mountPath") == "/etc/study/tls");
                break;
            case "client certificates not required": EnvEntry(Silo(m), "STUDY_TLS_REQUIRE_CLIENT_CERTIFICATE")!["value"] = "false"; break;
        }
    }
}
