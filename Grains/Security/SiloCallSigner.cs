namespace Study.Grains.Security;

/// <summary>Adds the proof to every silo-only call this silo makes (from its grains and from its own threads).</summary>
public sealed class SiloCallSigner(Running.RuntimeOptions options, Orleans.Serialization.Serializer serializer) : IOutgoingGrainCallFilter
{
    readonly SiloCredential? credential = options.Credential;

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (credential is not null && SiloOnlyCalls.IsSiloOnly(context.InterfaceMethod))
            RequestContext.Set(SiloOnlyCalls.ProofKey,
                credential.Prove(SiloOnlyCalls.Call(context.InterfaceMethod!, context.TargetId, context.Request, serializer), DateTimeOffset.UtcNow));
        return context.Invoke();
    }
}
