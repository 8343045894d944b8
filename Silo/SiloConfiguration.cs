using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Study.Silo;

/// <summary>A bad silo setting: one line naming the option and what is wrong (the silo exits 2 with it).</summary>
public sealed class SiloConfigurationException(string message) : Exception(message);

/// <summary>A silo's settings, with the files they name loaded: its TLS certificates (null without
/// --tls-certificate), the cluster secret (null without --cluster-secret) and the clients' database password (null
/// without --client-password).</summary>
public sealed record SiloSettings(SiloOptions Options, Grains.Hosting.StudyTls? Tls, Grains.Security.SiloCredential? Credential, string? ClientPassword);

/// <summary>
/// Reads <see cref="SiloOptions"/> through Microsoft.Extensions.Configuration: the settings file, then STUDY_*
/// environment variables, then the command line (each wins over the one before), bound and validated.
/// </summary>
public static partial class SiloConfiguration
{
    public const string EnvironmentPrefix = "STUDY_";

    /// <exception cref="SiloConfigurationException">bad input, in one line</exception>
    public static SiloSettings Load(IReadOnlyList<string> args)
    {
        var commandLine = CommandLine(args, out var settingsFile);
        settingsFile ??= Environment.GetEnvironmentVariable(EnvironmentPrefix + "SETTINGS") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var builder = new ConfigurationBuilder();
        if (settingsFile is not null)
        {
            var path = Path.GetFullPath(settingsFile);
            if (!File.Exists(path)) throw new SiloConfigurationException($"--settings: no file '{settingsFile}'");
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddCommandLine(commandLine, SwitchMappings);
        IConfigurationRoot configuration;
        try { configuration = builder.Build(); }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException)
        {
            throw new SiloConfigurationException($"--settings: '{settingsFile}' is not a JSON object of settings ({e.GetBaseException().Message.TrimEnd('.')})");
        }
        if (settingsFile is not null) CheckFileKeys(configuration, settingsFile);

        var options = new SiloOptions();
        try { configuration.Bind(options); }
        catch (InvalidOperationException e)
        {
            var key = ConversionKey().Match(e.Message) is { Success: true } m ? m.Groups[1].Value : "?";
            throw new SiloConfigurationException($"--{key.Replace('_', '-')}: '{configuration[key]}' is not {Expected(key)}");
        }
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

    static string ClientPassword(string file)
    {
        if (!File.Exists(file)) throw new SiloConfigurationException($"--client-password: no file '{file}'");
        var password = File.ReadAllText(file).Trim();
        return password.Length >= 16 ? password : throw new SiloConfigurationException($"--client-password: '{file}' must hold at least 16 characters");
    }

    static readonly Dictionary<string, string> SwitchMappings =
        SiloOptions.Names.ToDictionary(n => "--" + n, n => n.Replace('-', '_'));

    /// <summary>The command line as the configuration reads it: known options only, each with a value (a bare
    /// --dashboard means true); --settings taken out.</summary>
    static string[] CommandLine(IReadOnlyList<string> args, out string? settingsFile)
    {
        settingsFile = null;
        var result = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new SiloConfigurationException($"unexpected argument '{arg}'");
            var name = arg[2..];
            string? value = null;
            if (name.IndexOf('=') is var eq and >= 0) (name, value) = (name[..eq], name[(eq + 1)..]);
            bool isFlag = name is "dashboard" or "tls-require-client-certificate";
            if (name != "settings" && !SiloOptions.Names.Contains(name)) throw new SiloConfigurationException($"unknown option --{name}; see ./silo --help");
            if (value is null)
            {
                if (isFlag && (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))) value = "true";
                else value = i + 1 < args.Count ? args[++i] : throw new SiloConfigurationException($"--{name} needs a value");
            }
            if (name == "settings") settingsFile = value;
            else result.Add($"--{name}={value}");
        }
        return result.ToArray();
    }

    /// <summary>A settings file may hold only the silo's own keys, as plain values.</summary>
    static void CheckFileKeys(IConfigurationRoot configuration, string settingsFile)
    {
        var known = SiloOptions.Names.Select(n => n.Replace('-', '_')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var file = configuration.Providers.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationProvider>().Single();
        foreach (var key in file.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!known.Contains(key)) throw new SiloConfigurationException($"--settings: '{settingsFile}' has an unknown setting '{key}'");
            if (file.GetChildKeys([], key).Any()) throw new SiloConfigurationException($"--settings: '{settingsFile}': '{key}' must be a plain value");
        }
    }

    static string Expected(string key) => key switch
    {
        "slot_isolation" => "process or thread",
        "dashboard" or "tls_require_client_certificate" => "true or false",
        _ => "a whole number",
    };

    [GeneratedRegex("at '([^']+)'")]
    private static partial Regex ConversionKey();
}
