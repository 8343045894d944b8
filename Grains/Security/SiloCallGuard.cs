using Microsoft.Extensions.Logging;

namespace Study.Grains.Security;

/// <summary>
/// Refuses a silo-only call from a client, and, where the silos share a secret, one without a valid proof. The
/// caller gets an <see cref="UnauthorizedAccessException"/>; nothing of the call runs.
/// </summary>
public sealed class SiloCallGuard(Running.RuntimeOptions options, Orleans.Serialization.Serializer serializer, ILogger<SiloCallGuard> log)
    : IIncomingGrainCallFilter
{
    readonly SiloCredential? credential = options.Credential;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!SiloOnlyCalls.IsSiloOnly(context.InterfaceMethod)) return context.Invoke();
        var method = context.InterfaceMethod!;
        string? refusal = null;
        if (SiloOnlyCalls.IsExternalClient(context.SourceId)) refusal = "only silos may call it, and a client did";
        else if (credential is not null
                 && !credential.Verify(SiloOnlyCalls.Call(method, context.TargetId, context.Request, serializer),
                     RequestContext.Get(SiloOnlyCalls.ProofKey) as string, DateTimeOffset.UtcNow))
            refusal = "the caller did not prove it holds the cluster secret (--cluster-secret)";
        if (refusal is null) return context.Invoke();
        log.LogWarning("refused {Interface}.{Method} from {Source}: {Reason}", method.DeclaringType?.Name, method.Name, context.SourceId, refusal);
        throw new UnauthorizedAccessException($"{method.DeclaringType?.Name}.{method.Name}: {refusal}");
    }
}
