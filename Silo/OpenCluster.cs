using System.Net;

namespace Study.Silo;

/// <summary>What a silo of a cluster says at start when its ports are open to the network without the protections
/// docs/RELIABILITY.md ("Who may call what") describes: anyone who reaches them gets in.</summary>
public static class OpenCluster
{
    /// <returns>one line for stderr, or null when the silo is not reachable from outside or is closed</returns>
    public static string? Warning(SiloOptions options, bool tls, bool secret)
    {
        if (options.Cluster is null) return null; // development clustering listens on loopback only
        if (options.ListenAddress is { } listen && IPAddress.TryParse(listen, out var address) && IPAddress.IsLoopback(address)) return null;
        var holes = new List<string>();
        if (!tls) holes.Add("without TLS anyone who reaches them can start, read and cancel studies, and reads the traffic");
        else if (!options.TlsRequireClientCertificate) holes.Add("without --tls-require-client-certificate any client connects");
        if (!secret) holes.Add("without --cluster-secret a client that forges its sender can make the calls only silos may make");
        if (holes.Count == 0) return null;
        return $"silo: WARNING: this cluster is open: its silo and gateway ports ({options.SiloPort}, {options.GatewayPort}) listen on " +
               $"{options.ListenAddress ?? "every address"}; {string.Join("; ", holes)} (README: A cluster; docs/RELIABILITY.md)";
    }
}
