using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;
using Study.Grains.Hosting;
using O = Study.Silo.SiloCommandLine;

namespace Study.Silo;

/// <summary>A bad silo setting: one line naming the option and what is wrong (the silo exits 2 with it).</summary>
public sealed class SiloConfigurationException(string message) : Exception(message);

/// <summary>A silo's settings, with the files they name loaded: its TLS certificates (null without
/// --tls-certificate), the cluster secret (null without --cluster-secret) and the clients' database password (null
/// without --client-password).</summary>
public sealed record SiloSettings(SiloOptions Options, Grains.Hosting.StudyTls? Tls, Grains.Security.SiloCredential? Credential, string? ClientPassword);

/// <summary>
/// Reads <see cref="SiloOptions"/> from the parse of the command line with the layers <see cref="LayeredCommandLine"/>
/// puts under it: the settings file, then STUDY_* environment variables, then the command line (each wins over the one
/// before), checked by the parser's types and <see cref="SiloOptionsValidator"/>.
/// </summary>
public static class SiloConfiguration
{
    public const string EnvironmentPrefix = "STUDY_";

    /// <returns>null when the command line asks for help or for completions ([suggest]): invoking <paramref name="asked"/> gives them</returns>
    /// <exception cref="SiloConfigurationException">bad input, in one line</exception>
    public static SiloSettings? Load(IReadOnlyList<string> args, out ParseResult asked)
    {
        string? settingsFile = null;
        LayeredParse parsed;
        try
        {
            parsed = LayeredCommandLine.Parse(SiloCommandLine.Root, args, parse =>
            {
                settingsFile = parse.GetValue(SiloCommandLine.Settings)
                    ?? (Environment.GetEnvironmentVariable(EnvironmentPrefix + "SETTINGS") is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
                return new SettingLayers(settingsFile is null ? null : SettingsFile(settingsFile), EnvironmentPrefix, SiloCommandLine.Settable.Contains);
            });
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new SiloConfigurationException($"--settings: '{settingsFile}' is not a JSON object of settings ({e.GetBaseException().Message.TrimEnd('.')})");
        }
        asked = parsed.Parse;
        if (asked.Action is not (null or ParseErrorAction) && !asked.RunsCommand()) return null;
        if (parsed.Layers is { } layers && settingsFile is not null) CheckFileKeys(layers, settingsFile);
        if (CommandLineProblems.First(parsed, SiloCommandLine.Wording) is { } problem) throw new SiloConfigurationException(problem);

        var options = Read(parsed.Parse);
        var result = new SiloOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed) throw new SiloConfigurationException(result.Failures!.First());
        try
        {
            var tls = options.TlsCertificate is null ? null
                : Grains.Hosting.StudyTls.Load(options.TlsCertificate, options.TlsKey, options.TlsCa!, options.TlsRequireClientCertificate);
            var credential = options.ClusterSecret is { } secret ? Grains.Security.SiloCredential.Load(secret, "--cluster-secret") : null;
            return new SiloSettings(options, tls, credential, options.ClientPassword is { } file ? ClientPassword(file) : null);
        }
        catch (ArgumentException e) { throw new SiloConfigurationException(e.Message); }
    }

    static SiloOptions Read(ParseResult parse) => new()
    {
        Cluster = parse.GetValue(O.Cluster),
        Slots = parse.GetValue(O.Slots),
        SlotsPerGpu = parse.GetValue(O.SlotsPerGpu),
        SlotIsolation = parse.GetValue(O.SlotIsolation),
        ThreadsPerSlot = parse.GetValue(O.ThreadsPerSlot),
        SiloPort = parse.GetValue(O.SiloPort),
        GatewayPort = parse.GetValue(O.GatewayPort),
        Artifacts = parse.GetValue(O.Artifacts)!,
        MetricsPort = parse.GetValue(O.MetricsPort),
        MetricsAddress = parse.GetValue(O.MetricsAddress)!,
        Store = parse.GetValue(O.Store)!,
        PrimaryPort = parse.GetValue(O.PrimaryPort),
        Name = parse.GetValue(O.Name),
        Advertise = parse.GetValue(O.Advertise),
        ListenAddress = parse.GetValue(O.ListenAddress),
        TlsCertificate = parse.GetValue(O.TlsCertificate),
        TlsKey = parse.GetValue(O.TlsKey),
        TlsCa = parse.GetValue(O.TlsCa),
        TlsRequireClientCertificate = parse.GetValue(O.TlsRequireClientCertificate),
        ClusterSecret = parse.GetValue(O.ClusterSecret),
        ClientPassword = parse.GetValue(O.ClientPassword),
        DataRoots = parse.GetValue(O.DataRoots),
        Dashboard = parse.GetValue(O.Dashboard),
        DashboardPort = parse.GetValue(O.DashboardPort),
        DashboardAddress = parse.GetValue(O.DashboardAddress)!,
        DashboardToken = parse.GetValue(O.DashboardToken),
    };

    static JsonConfigurationSource SettingsFile(string settingsFile)
    {
        var path = Path.GetFullPath(settingsFile);
        if (!File.Exists(path)) throw new SiloConfigurationException($"--settings: no file '{settingsFile}'");
        var source = new JsonConfigurationSource { Path = path, Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        return source;
    }

    static string ClientPassword(string file)
    {
        if (!File.Exists(file)) throw new SiloConfigurationException($"--client-password: no file '{file}'");
        var password = File.ReadAllText(file).Trim();
        return password.Length >= 16 ? password : throw new SiloConfigurationException($"--client-password: '{file}' must hold at least 16 characters");
    }

    /// <summary>A settings file may hold only the silo's own keys, as plain values.</summary>
    static void CheckFileKeys(IConfigurationRoot configuration, string settingsFile)
    {
        var known = SiloCommandLine.Settable.Select(LayeredCommandLine.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var file = configuration.Providers.OfType<JsonConfigurationProvider>().Single();
        foreach (var key in file.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!known.Contains(key)) throw new SiloConfigurationException($"--settings: '{settingsFile}' has an unknown setting '{key}'");
            if (file.GetChildKeys([], key).Any()) throw new SiloConfigurationException($"--settings: '{settingsFile}': '{key}' must be a plain value");
        }
    }
}
