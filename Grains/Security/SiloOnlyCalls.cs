using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Invocation;

namespace Study.Grains.Security;

/// <summary>Which calls are <see cref="SiloOnlyAttribute"/>, what their proof covers, and who is a client.</summary>
public static class SiloOnlyCalls
{
    /// <summary>The request-context key that carries a silo-only call's proof.</summary>
    public const string ProofKey = "study.silo-proof";

    static readonly ConcurrentDictionary<MethodInfo, bool> Marked = new();

    public static bool IsSiloOnly(MethodInfo? method) => method is not null && Marked.GetOrAdd(method, m =>
        m.IsDefined(typeof(SiloOnlyAttribute), false) || m.DeclaringType?.IsDefined(typeof(SiloOnlyAttribute), false) == true);

    /// <summary>What a proof is bound to: the method, the grain it is sent to, and a SHA-256 digest of its arguments as
    /// Orleans serializes them (the same values give the same bytes on every silo).</summary>
    public static string Call(MethodInfo method, GrainId target, IInvokable request, Serializer serializer)
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < request.GetArgumentCount(); i++) digest.AppendData(serializer.SerializeToArray<object?>(request.GetArgument(i)));
        return $"{method.DeclaringType?.FullName}.{method.Name} {target} {Convert.ToBase64String(digest.GetHashAndReset())}";
    }

    /// <summary>A caller outside the cluster: a client's id. A silo's own non-grain code (its heartbeat, its slot
    /// threads) calls as the silo's hosted client, whose id Orleans names "hosted-&lt;silo&gt;".</summary>
    public static bool IsExternalClient(GrainId? source) =>
        source is { } id && id.IsClient() && !id.Key.ToString().StartsWith("hosted-", StringComparison.Ordinal);
}
