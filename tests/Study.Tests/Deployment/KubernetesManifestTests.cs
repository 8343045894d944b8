using System.Text;
using System.Text.RegularExpressions;
using Study.Client.Cli;
using Study.Client.Commands;
using Xunit;
using static Study.Tests.Deployment.Manifests;

namespace Study.Tests.Deployment;

/// <summary>
/// The Kubernetes deployment (k8s/, docs/KUBERNETES.md), as `kustomize build` renders each overlay, and the
/// Dockerfiles of its images. No cluster and no Docker engine here: these are structural checks of what would be
/// applied and built.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new("cpu", "gpu");

    static readonly Dockerfile SiloImage = Dockerfile.Read("Silo/Dockerfile");
    static readonly Dockerfile GpuSiloImage = Dockerfile.Read("Silo/Dockerfile.gpu");
    static readonly Dockerfile ClientImage = Dockerfile.Read("Client/Dockerfile");

    static void NoProblems(IEnumerable<string> problems, string overlay)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"k8s/overlays/{overlay}:\n  " + string.Join("\n  ", list));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EachOverlayRendersEveryPartInTheStudyNamespace(string overlay)
    {
        var m = Render(overlay);
        foreach (var (kind, name) in new[] { ("StatefulSet", "postgres"), ("Deployment", "study-silo"), ("PodDisruptionBudget", "study-silo"),
                     ("Deployment", "otel-collector"), ("Deployment", "aspire-dashboard"), ("Deployment", "prometheus"), ("Deployment", "grafana"), ("PersistentVolumeClaim", "study-artifacts") })
            Assert.NotNull(m.Find(kind, name));
        Assert.Single(m.OfKind("Job"));
        Assert.NotEmpty(List(At(m.Get("StatefulSet", "postgres"), "spec", "volumeClaimTemplates")));
        NoProblems(ManifestChecks.Namespaces(m).Concat(ManifestChecks.ServicePorts(m)).Concat(ManifestChecks.Labels(m)), overlay);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void SilosProbeTheMetricsPortAdvertiseTheirPodIpAndCheckpointBeforeTheyAreKilled(string overlay)
    {
        var m = Render(overlay);
        NoProblems(ManifestChecks.SiloProbes(m).Concat(ManifestChecks.SiloSettings(m)).Concat(ManifestChecks.Grace(m)).Concat(ManifestChecks.Disruption(m)), overlay);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void SilosAndTheClientJobSpeakMutualTlsAndOnlySilosGetTheClusterSecret(string overlay) =>
        NoProblems(ManifestChecks.Tls(Render(overlay)), overlay);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryContainerRunsLockedDownWithResources(string overlay)
    {
        var m = Render(overlay);
        NoProblems(ManifestChecks.Security(m).Concat(ManifestChecks.Resources(m)), overlay);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ReferencesServicesAndNetworkPoliciesResolve(string overlay)
    {
        var m = Render(overlay);
        NoProblems(ManifestChecks.References(m).Concat(ManifestChecks.ServiceSelectors(m)).Concat(ManifestChecks.NetworkPolicies(m))
            .Concat(ManifestChecks.MonitoringConfig(m)), overlay);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void OnlyTheGpuOverlayAsksForGpusAndItRunsTheGpuImage(string overlay)
    {
        var m = Render(overlay);
        var silo = overlay == "gpu" ? GpuSiloImage.Image : SiloImage.Image;
        NoProblems(ManifestChecks.Accelerators(m, gpu: overlay == "gpu")
            .Concat(ManifestChecks.Images(m, silo, ClientImage.Image, [SiloImage.Image, GpuSiloImage.Image, ClientImage.Image])), overlay);
        // The overlays differ in the silo alone.
        var others = (Manifests r) => r.Objects.Where(o => Id(o) != "Deployment/study-silo").Select(Id).Order().ToList();
        Assert.Equal(others(Render("cpu")), others(m));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void TheConnectionStringsMatchPostgresAndTheClientsRole(string overlay)
    {
        // Issue 23: the client Job had the owner's connection string. The silos connect as the owner; the Job as
        // study_client, the read-only role the silos create with the password of their --client-password file.
        var m = Render(overlay);
        var postgres = Containers(m.PodOf("StatefulSet", "postgres").Pod).Single();
        var silo = ConnectionString(m, m.SiloContainer);
        var (_, job) = ManifestChecks.ClientJob(m);
        var client = ConnectionString(m, job);
        foreach (var parts in new[] { silo, client })
        {
            var service = m.Get("Service", parts["host"]);
            Assert.Contains(parts.GetValueOrDefault("port", "5432"), List(At(service, "spec", "ports")).Select(p => Str(p, "port")));
            Assert.True(Selects(At(service, "spec", "selector"), m.PodOf("StatefulSet", "postgres").Labels), $"Host={parts["host"]} is not PostgreSQL's Service");
            Assert.Equal(Env(postgres, "POSTGRES_DB"), parts["database"]);
        }
        Assert.Equal(Env(postgres, "POSTGRES_USER"), silo["username"]);
        var password = At(EnvEntry(postgres, "POSTGRES_PASSWORD"), "valueFrom", "secretKeyRef");
        Assert.Equal(ManifestChecks.SecretValue(m, Str(password, "name")!, Str(password, "key")!), silo["password"]);

        Assert.Equal(Grains.Storage.PostgresClientRole.Name, client["username"]);
        Assert.NotEqual(silo["password"], client["password"]);
        var dir = Directory.CreateTempSubdirectory("study-manifest-").FullName;
        try
        {
            var files = ManifestChecks.LocalTlsEnvironment(m, m.SiloPod, m.SiloContainer, dir);
            Assert.Equal(client["password"], File.ReadAllText(files["STUDY_CLIENT_PASSWORD"]));
            Assert.DoesNotContain(List(job.GetValueOrDefault("env")).Select(Map), e => Str(e, "name") == "STUDY_CLIENT_PASSWORD");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static Dictionary<string, string> ConnectionString(Manifests m, Dictionary<string, object?> container)
    {
        var cluster = At(EnvEntry(container, "STUDY_CLUSTER"), "valueFrom", "secretKeyRef");
        return ManifestChecks.SecretValue(m, Str(cluster, "name")!, Str(cluster, "key")!)!.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void NoPasswordShipsEachIsMadeAtRandomForTheCluster(string overlay)
    {
        // Issue 23: the manifests shipped placeholder passwords. Now scripts/cluster-certs makes them, and the Secrets
        // the pods read hold those files' contents.
        var m = Render(overlay);
        var grafana = Containers(m.PodOf("Deployment", "grafana").Pod).Single();
        var postgres = Containers(m.PodOf("StatefulSet", "postgres").Pod).Single();
        var tls = Path.Combine(Manifests.RenderRoot.Value, "k8s", "tls");
        foreach (var (container, variable, file) in new[] { (postgres, "POSTGRES_PASSWORD", "postgres-password"), (grafana, "GF_SECURITY_ADMIN_PASSWORD", "grafana-admin-password") })
        {
            var reference = At(EnvEntry(container, variable), "valueFrom", "secretKeyRef");
            var value = ManifestChecks.SecretValue(m, Str(reference, "name")!, Str(reference, "key")!);
            Assert.Equal(File.ReadAllText(Path.Combine(tls, file)), value);
            Assert.Matches("^[0-9a-f]{48}$", value);
        }
        foreach (var secret in m.Objects.Where(o => Str(o, "kind") == "Secret"))
            Assert.DoesNotContain("REPLACE-ME", string.Join(" ", Map(At(secret, "data")).Values.Select(v => Encoding.UTF8.GetString(Convert.FromBase64String($"{v}")))
                .Concat(Map(At(secret, "stringData")).Values.Select(v => $"{v}"))));
        var other = Directory.CreateTempSubdirectory("study-certs-").FullName;
        try
        {
            Manifests.ClusterCerts(other);
            Assert.NotEqual(File.ReadAllText(Path.Combine(tls, "postgres-password")), File.ReadAllText(Path.Combine(other, "postgres-password")));
        }
        finally { Directory.Delete(other, recursive: true); }
    }

    static string Describe(object? node) => node is Dictionary<string, object?> d ? string.Join(",", d.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")) : "";

    [Fact]
    public void TheClientJobRunsAPresetThatTheStudyCommandAccepts()
    {
        var m = Render("cpu");
        var (job, labels, pod) = m.Pods.Single(p => Kind(p.Owner) == "Job");
        Assert.Equal("client", labels["app.kubernetes.io/component"]);
        Assert.Equal("Never", Str(pod, "restartPolicy"));
        Assert.Equal("0", Str(job, "spec", "backoffLimit")); // a retry would submit a second study
        var study = Containers(pod).Last();
        var args = List(study.GetValueOrDefault("args")).Cast<string>().ToList();
        Assert.Equal("run", args[0]); // submits to STUDY_CLUSTER and follows the study to its end
        var config = args[args.IndexOf("--config") + 1];
        // The preset comes from a mounted ConfigMap key.
        var mount = List(study.GetValueOrDefault("volumeMounts")).Select(Map).Single(v => Str(v, "mountPath") == Path.GetDirectoryName(config));
        var volume = List(pod.GetValueOrDefault("volumes")).Select(Map).Single(v => Str(v, "name") == Str(mount, "name"));
        var preset = Str(m.Get("ConfigMap", Str(volume, "configMap", "name")!), "data", Path.GetFileName(config));
        Assert.NotNull(preset);
        // The working folder (where ./studies/<id> is written) must be writable under a read-only root: an emptyDir.
        var work = List(study.GetValueOrDefault("volumeMounts")).Select(Map).Single(v => Str(v, "mountPath") == Str(study, "workingDir"));
        Assert.NotNull(At(List(pod.GetValueOrDefault("volumes")).Select(Map).Single(v => Str(v, "name") == Str(work, "name")), "emptyDir"));
        // The preset through the real option reader of `study run`: unknown keys and bad values are rejected there.
        var file = Path.Combine(Path.GetTempPath(), $"preset-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, preset);
        try
        {
            var parsed = StudyCommandLine.Parse([.. args.Select(a => a == config ? file : a)]);
            var spec = StudyOptionReader.Read(parsed, "preset-check");
            Assert.Equal("fashion-mnist", spec.Dataset);
            Assert.True(parsed.GetValue(CommonOptions.Json));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void TheDockerfilesBuildTheImagesTheManifestsRun()
    {
        var cpu = Render("cpu");
        var gpu = Render("gpu");
        var uid = (Manifests m, string kind, string name) => Str(m.PodOf(kind, name).Pod, "securityContext", "runAsUser");
        int[] siloPorts = [ManifestChecks.SiloPort, ManifestChecks.GatewayPort, ManifestChecks.MetricsPort];

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "debian:bookworm-slim", "mcr.microsoft.com/dotnet/aspnet:10.0"], SiloImage.Bases);
        Assert.Equal(["dotnet", "/app/silo.dll"], SiloImage.Entrypoint);
        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/runtime:10.0"], ClientImage.Bases);
        Assert.Equal(["dotnet", "/app/study.dll"], ClientImage.Entrypoint);
        Assert.Empty(ClientImage.Exposed);
        Assert.Equal(["/opt/tau-study/silo"], GpuSiloImage.Entrypoint);
        Assert.StartsWith("pytorch/pytorch:", GpuSiloImage.RuntimeBase);

        foreach (var (image, m, project) in new[] { (SiloImage, cpu, "Silo/Silo.csproj"), (GpuSiloImage, gpu, "Silo/Silo.csproj"), (ClientImage, cpu, "Client/Client.csproj") })
        {
            var assembly = Regex.Match(File.ReadAllText(Path.Combine(Root, project)), "<AssemblyName>(.+)</AssemblyName>").Groups[1].Value;
            Assert.EndsWith($"/{assembly}" + (image == GpuSiloImage ? "" : ".dll"), image.Entrypoint[^1]);
            if (image != GpuSiloImage)
                Assert.Matches($@"dotnet publish {Regex.Escape(project)} .*-o {Regex.Escape(Path.GetDirectoryName(image.Entrypoint[^1])!)}\b", image.Text);
            var (kind, name) = image == ClientImage ? ("Job", Name(m.OfKind("Job").Single())) : ("Deployment", "study-silo");
            Assert.True(image.Uid is > 0, $"{image.Path}: USER must be a numeric non-root uid, not {image.User}");
            Assert.Equal(uid(m, kind, name), image.Uid.ToString());
            if (image == ClientImage) continue;
            Assert.Equal(siloPorts.Order(), image.Exposed.Order());
            var reference = Str(m.SiloContainer, "image")!;
            Assert.Equal(image.Image, reference[(reference.LastIndexOf('/') + 1)..reference.LastIndexOf(':')]);
            Assert.Equal(Env(m.SiloContainer, "STUDY_ARTIFACTS"), image.Env["STUDY_ARTIFACTS"]);
            Assert.Equal(Env(m.SiloContainer, "STUDY_METRICS_PORT"), image.Env["STUDY_METRICS_PORT"]);
        }
        // The silo reads the default study's data from Debian's package, where the client Job's preset expects it.
        Assert.Contains("dataset-fashion-mnist", SiloImage.Text);
        Assert.Contains("COPY --from=data /usr/share/datasets/fashion-mnist /usr/share/datasets/fashion-mnist", SiloImage.Text);
    }
}
