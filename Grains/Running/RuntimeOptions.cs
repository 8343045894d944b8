namespace Study.Grains.Running;

/// <summary>A silo's settings for running trials (SPEC §3).</summary>
public sealed class RuntimeOptions
{
    /// <summary>Accelerator slots: the GPUs × slots per GPU, or 1 on a machine without any; 0 hosts no trial.</summary>
    public int Slots { get; set; } = 1;
    /// <summary>CUDA devices the slots are spread over (slot i on cuda:(i mod Gpus)); 0: every slot trains on the CPU.</summary>
    public int Gpus { get; set; }
    public int ThreadsPerSlot { get; set; } = Environment.ProcessorCount;
    /// <summary>Checkpoints, shared by all silos of a cluster.</summary>
    public string Artifacts { get; set; } = Path.Combine("studies", "artifacts");
    /// <summary>How long a stopping silo waits for its trials to checkpoint and report.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
