using Study.Tests.Infrastructure;
using Xunit;

namespace Study.Tests.Cli;

/// <summary>
/// `./silo`'s settings come from a JSON file, STUDY_* variables and the command line (each wins over the one
/// before); every bad value, from any of them, exits 2 with one line naming it, before anything starts.
/// </summary>
[Trait(Tier.Key, Tier.Fast)]
public sealed class SiloConfigurationTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("study-silo-config-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    (int ExitCode, string[] Stderr) Silo(string[] args, Dictionary<string, string>? environment = null)
    {
        try
        {
            var run = SiloProcess.Run(args, dir, environment);
            return (run.ExitCode, run.StderrLines.Where(l => !l.StartsWith("silo: note:")).ToArray());
        }
        catch (TimeoutException e) { throw new TimeoutException($"./silo {string.Join(' ', args)} did not exit: it started instead of refusing", e); }
    }

    string File(string name, string json)
    {
        var path = Path.Combine(dir, name);
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    void Refused((int ExitCode, string[] Stderr) run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr);
        Assert.Equal("silo: " + expected, line);
        Assert.False(Directory.Exists(Path.Combine(dir, "studies")), "a refused silo created its store");
    }

    [Fact]
    public void BadCommandLineValuesExit2WithOneLine()
    {
        Refused(Silo(["--slots", "many"]), "--slots: 'many' is not a whole number");
        Refused(Silo(["--slots", "65"]), "--slots: 65 must be a whole number from 0 to 64");
        Refused(Silo(["--colour", "red"]), "unknown option --colour; see ./silo --help");
        Refused(Silo(["--slot-isolation", "fork"]), "--slot-isolation: 'fork' is not process or thread");
        Refused(Silo(["--metrics-port", "9464", "--metrics-address", "localhost"]), "--metrics-address: 'localhost' is not an IP address");
        Refused(Silo(["--cluster", "Host=127.0.0.1;Port=1", "--advertise", "x"]), "--advertise: 'x' is not an IP address");
        Refused(Silo(["--store", "/proc/none/studies.db"]), "--store: cannot use '/proc/none/studies.db' (Could not find file '/proc/none')");
        Refused(Silo(["--listen-address", "everywhere"]), "--listen-address: 'everywhere' is not an IP address");
        Refused(Silo(["--tls-certificate", "silo.pem"]), "--tls-certificate and --tls-ca go together: a silo's certificate, and the authority its peers' chain to");
        var secret = File("cluster-secret", "0123456789abcdef0123456789abcdef\n");
        Refused(Silo(["--tls-certificate", "/none/silo.pem", "--tls-ca", "/none/ca.pem"]),
            "--tls-certificate: give --cluster-secret too, or a client with a certificate could act as a silo");
        Refused(Silo(["--tls-certificate", "/none/silo.pem", "--tls-ca", "/none/ca.pem", "--cluster-secret", secret]), "--tls-ca: no file '/none/ca.pem'");
        var absent = Path.Combine(dir, "absent-secret");
        Refused(Silo(["--cluster-secret", absent]), $"--cluster-secret: cannot read '{absent}' (Could not find file '{absent}')");
        var shortSecret = File("short-secret", "  hunter2 \n");
        Refused(Silo(["--cluster-secret", shortSecret]),
            $"--cluster-secret: '{shortSecret}' holds 7 bytes; a cluster secret needs at least 16 (e.g. openssl rand -hex 32)");
        Refused(Silo(["--tls-require-client-certificate"]), "--tls-require-client-certificate: give --tls-certificate and --tls-ca");
        Refused(Silo(["--dashboard", "--dashboard-address", "0.0.0.0"]),
            "--dashboard-address: 0.0.0.0 is beyond loopback; give --dashboard-token (at least 16 characters)");
    }

    [Fact]
    public void BadEnvironmentValuesExit2WithOneLine()
    {
        Refused(Silo([], new() { ["STUDY_SLOTS_PER_GPU"] = "0" }), "--slots-per-gpu: 0 must be a whole number from 1 to 64");
        Refused(Silo([], new() { ["STUDY_SILO_PORT"] = "eleven" }), "--silo-port: 'eleven' is not a whole number");
        Refused(Silo([], new() { ["STUDY_DASHBOARD"] = "yes" }), "--dashboard: 'yes' is not true or false");
        Refused(Silo([], new() { ["STUDY_SETTINGS"] = Path.Combine(dir, "absent.json") }), $"--settings: no file '{Path.Combine(dir, "absent.json")}'");
    }

    [Fact]
    public void BadSettingsFilesExit2WithOneLine()
    {
        var unknown = File("unknown.json", """{ "slots": 1, "colour": "red" }""");
        Refused(Silo(["--settings", unknown]), $"--settings: '{unknown}' has an unknown setting 'colour'");
        var nested = File("nested.json", """{ "slots": { "count": 1 } }""");
        Refused(Silo(["--settings", nested]), $"--settings: '{nested}': 'slots' must be a plain value");
        var badValue = File("bad-value.json", """{ "threads_per_slot": 0 }""");
        Refused(Silo(["--settings", badValue]), "--threads-per-slot: 0 must be a whole number from 1 to 1024");
        var broken = File("broken.json", """{ "slots": """);
        var run = Silo([], new() { ["STUDY_SETTINGS"] = broken });
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"silo: --settings: '{broken}' is not a JSON object of settings", Assert.Single(run.Stderr));
    }

    [Fact]
    public void TheCommandLineWinsOverTheEnvironmentWhichWinsOverTheFile()
    {
        // Each source gives a value out of range; the one the silo complains about is the one it took.
        var file = File("settings.json", """{ "slots": 99 }""");
        Refused(Silo(["--settings", file]), "--slots: 99 must be a whole number from 0 to 64");
        Refused(Silo(["--settings", file], new() { ["STUDY_SLOTS"] = "98" }), "--slots: 98 must be a whole number from 0 to 64");
        Refused(Silo(["--settings", file, "--slots", "97"], new() { ["STUDY_SLOTS"] = "98" }), "--slots: 97 must be a whole number from 0 to 64");
    }
}
