using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
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

    /// <summary>The Orleans TLS options of a client: the gateway must show a silo's certificate.</summary>
    public void ConfigureClient(TlsOptions options)
    {
        Configure(options);
        options.OnAuthenticateAsClient = (_, client) => ClientSide(client);
    }

    /// <summary>The Orleans TLS options of a silo. On <paramref name="siloPort"/> only a silo's certificate gets in
    /// (one that may serve as well as connect: clients' certificates may only connect); on the gateway port a client's
    /// certificate is enough.</summary>
    public void ConfigureSilo(TlsOptions options, int siloPort)
    {
        Configure(options);
        options.ClientCertificateMode = RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
        options.OnAuthenticateAsClient = (_, client) => ClientSide(client);
        options.OnAuthenticateAsServer = (connection, server) =>
            ((SslServerAuthenticationOptions)server.SslServerAuthenticationOptions).CertificateChainPolicy =
                connection.LocalEndPoint is IPEndPoint { Port: var port } && port == siloPort ? ChainPolicy(ServerAuth, ClientAuth) : ChainPolicy(ClientAuth);
    }

    void Configure(TlsOptions options)
    {
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Every handshake sets its chain policy (ChainPolicy): trust the authority alone, and require the usages of the
        // peer's role. Peers are reached by IP, so the name is not checked.
        options.RemoteCertificateValidation = (_, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
    }

    void ClientSide(TlsClientAuthenticationOptions client)
    {
        client.TargetHost = TargetHost;
        ((SslClientAuthenticationOptions)client.SslClientAuthenticationOptions).CertificateChainPolicy = ChainPolicy(ServerAuth);
    }

    static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1"), ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A new policy for each handshake (SslStream may add to it): chains to the cluster's authority alone, in
    /// date, with every one of <paramref name="usages"/> among the certificate's extended key usages.</summary>
    X509ChainPolicy ChainPolicy(params Oid[] usages)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Authority);
        foreach (var usage in usages) policy.ApplicationPolicy.Add(usage);
        return policy;
    }
}
