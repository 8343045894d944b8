using Xunit;

namespace Study.Tests.Infrastructure;

/// <summary>
/// A `./silo` process of a PostgreSQL cluster on free loopback ports (one slot of one thread, artifacts in the
/// test's folder, signing silo-only calls with the folder's cluster secret unless the environment gives one),
/// returned once its /readyz says it has joined; a silo that exits or never joins fails the test.
/// </summary>
public sealed record ClusterSilo(ChildProcess Process, int SiloPort, int MetricsPort)
{
    public static ClusterSilo Start(string connection, string dir, string name, IEnumerable<string>? extraArgs = null,
        IDictionary<string, string>? environment = null, int? metricsPort = null)
    {
        int siloPort = FreePorts.Next(), gatewayPort = FreePorts.Next(), metrics = metricsPort ?? FreePorts.Next();
        string[] secretArgs = [];
        if (environment?.ContainsKey("STUDY_CLUSTER_SECRET") != true)
        {
            var secret = Path.Combine(dir, "cluster-secret");
            lock (typeof(ClusterSilo)) if (!File.Exists(secret)) File.WriteAllText(secret, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            secretArgs = ["--cluster-secret", secret];
        }
        var process = new ChildProcess(ChildProcess.SiloDll,
            ["--cluster", connection, "--slots", "1", "--threads-per-slot", "1", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}",
             "--artifacts", Path.Combine(dir, "artifacts"), "--advertise", "127.0.0.1", "--metrics-port", $"{metrics}", "--name", name, .. secretArgs,
             .. extraArgs ?? []], dir, environment);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (true)
            {
                Assert.False(process.HasExited, $"silo {name} exited: {process.Stdout}{process.Stderr}");
                try { if (http.GetAsync($"http://127.0.0.1:{metrics}/readyz").Result.IsSuccessStatusCode) return new ClusterSilo(process, siloPort, metrics); }
                catch (Exception) { }
                Assert.True(DateTime.UtcNow < until, $"silo {name} never became ready: {process.Stdout}");
                Thread.Sleep(300);
            }
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }
}
