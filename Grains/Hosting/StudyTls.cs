using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Study.Grains.Hosting;

/// <summary>
/// TLS between silos and between clients and gateways (Microsoft.Orleans.Connections.Security). Every party
/// presents a certificate signed by the cluster's authority (--tls-ca) and accepts only peers whose certificate
/// chains to it; clients present one too when the silos require it (mutual TLS for clients). Certificates are PEM
/// (certificate and key files) or PKCS#12 (one .pfx/.p12 file).
/// </summary>
public sealed record StudyTls(X509Certificate2? Certificate, X509Certificate2 Authority, bool RequireClientCertificate)
{
    /// <summary>The name every connection asks for: peers are found by IP, and trust comes from the authority.</summary>
    public const string TargetHost = "tau-study";

    /// <param name="optionName">how the caller spells the setting ("ca" → "--tls-ca" for the silo, STUDY_TLS_CA for the client)</param>
    /// <exception cref="ArgumentException">a file that is missing or not a certificate, naming the option</exception>
    public static StudyTls Load(string? certificate, string? key, string authority, bool requireClientCertificate,
        Func<string, string>? optionName = null)
    {
        optionName ??= name => "--tls-" + name;
        var ca = Read(optionName("ca"), authority, () => X509CertificateLoader.LoadCertificateFromFile(authority));
        X509Certificate2? own = null;
        if (certificate is not null)
        {
            own = Read(optionName("certificate"), certificate, () =>
                Path.GetExtension(certificate).ToLowerInvariant() is ".pfx" or ".p12"
                    ? X509CertificateLoader.LoadPkcs12FromFile(certificate, null)
                    : key is null ? X509Certificate2.CreateFromPemFile(certificate)
                    // Through PKCS#12 so that TLS can use the key (a PEM key loads as an ephemeral one).
                    : X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(certificate, key).Export(X509ContentType.Pkcs12), null));
            if (!own.HasPrivateKey) throw new ArgumentException($"{optionName("certificate")}: '{certificate}' has no private key (give {optionName("key")})");
        }
        return new StudyTls(own, ca, requireClientCertificate);
    }

    static X509Certificate2 Read(string option, string path, Func<X509Certificate2> load)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{option}: no file '{path}'");
        try { return load(); }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException or IOException)
        {
            throw new ArgumentException($"{option}: '{path}' is not a usable certificate ({e.Message.TrimEnd('.')})");
        }
    }

    /// <summary>The Orleans TLS options of a silo (<paramref name="silo"/>) or a client.</summary>
    public void Configure(TlsOptions options, bool silo)
    {
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        if (silo) options.ClientCertificateMode = RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => ChainsToAuthority(certificate);
        options.OnAuthenticateAsClient = (_, client) => client.TargetHost = TargetHost;
    }

    /// <summary>Whether <paramref name="certificate"/> is signed by the cluster's authority (and in date); the host
    /// name is not checked, as peers are reached by IP.</summary>
    public bool ChainsToAuthority(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
