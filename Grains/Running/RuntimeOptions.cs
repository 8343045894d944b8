using System.Reflection;

namespace Study.Grains.Running;

/// <summary>How a slot runs its trial: on the slot's own thread, or in a worker process the slot thread drives.</summary>
public enum SlotIsolation { Thread, Process }

/// <summary>A silo's settings for running trials (docs/CLI.md, the silo).</summary>
public sealed class RuntimeOptions
{
    /// <summary>Accelerator slots: the GPUs × slots per GPU, or 1 on a machine without any; 0 hosts no trial.</summary>
    public int Slots { get; set; } = 1;
    /// <summary>CUDA devices the slots are spread over (slot i on cuda:(i mod Gpus)); 0: every slot trains on the CPU.</summary>
    public int Gpus { get; set; }
    public int ThreadsPerSlot { get; set; } = Environment.ProcessorCount;
    /// <summary>Checkpoints, shared by all silos of a cluster.</summary>
    public string Artifacts { get; set; } = Path.Combine("studies", "artifacts");
    /// <summary>Threads on the CPU; a worker process per slot on GPUs (see docs/PERFORMANCE.md: several trials share one
    /// GPU well only from separate processes, and a native crash then ends one trial, not the silo).</summary>
    public SlotIsolation Isolation { get; set; } = SlotIsolation.Thread;
    /// <summary>How to start a slot's worker process: by default this program again, with <c>__slot-worker</c>.</summary>
    public IReadOnlyList<string> WorkerCommand { get; set; } = WorkerCommandOfThisProgram();
    /// <summary>The cluster secret silo-only calls are signed and checked with; null: they are only refused from clients
    /// (a cluster of `./silo` processes without --cluster-secret). By default a secret of this process, which is
    /// what the one-process clusters (the embedded one, the tests') share.</summary>
    public Security.SiloCredential? Credential { get; set; } = Security.SiloCredential.ThisProcess;
    /// <summary>The folders a study's --data-dir must lie in on this silo (a client must not make the silo read any file it
    /// can name); null: any, for the embedded silo of `study run`, whose user is the one who gives --data-dir.</summary>
    public IReadOnlyList<string>? DataRoots { get; set; }
    /// <summary>A slot's worker process that writes nothing for this long (no step, epoch or outcome) is taken as hung:
    /// it is killed and its trial fails, so it cannot keep its slot for ever. Long enough for a final evaluation.</summary>
    public TimeSpan WorkerSilenceLimit { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How long a stopping silo waits for its trials to checkpoint and report.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Sets every setting of <paramref name="target"/> to this one's: how AddStudyRuntime hands its
    /// caller's options to the options system, which makes (and validates) its own instance.</summary>
    public void CopyTo(RuntimeOptions target)
    {
        foreach (var setting in typeof(RuntimeOptions).GetProperties().Where(p => p is { CanRead: true, CanWrite: true }))
            setting.SetValue(target, setting.GetValue(this));
    }

    /// <summary>The variable that chooses the isolation of an embedded run's slots (a silo has --slot-isolation).</summary>
    public const string IsolationVariable = "STUDY_SLOT_ISOLATION";

    /// <returns>null for null or empty text</returns>
    /// <exception cref="ArgumentException">anything but process or thread</exception>
    public static SlotIsolation? ParseIsolation(string? text) => text switch
    {
        null or "" => null,
        "process" => SlotIsolation.Process,
        "thread" => SlotIsolation.Thread,
        _ => throw new ArgumentException($"--slot-isolation must be process or thread, got '{text}'"),
    };

    /// <summary>The isolation a silo gets by default: processes when its slots are GPUs.</summary>
    public static SlotIsolation DefaultIsolation(int gpus) => gpus > 0 ? SlotIsolation.Process : SlotIsolation.Thread;

    static IReadOnlyList<string> WorkerCommandOfThisProgram() => [.. ThisProgram(), Workers.SlotWorker.Argument];

    /// <summary>How to start this program again: `dotnet study.dll` runs a dll through the shared host; an apphost
    /// (`study`) is the program itself.</summary>
    public static IReadOnlyList<string> ThisProgram()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var entry = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" && !string.IsNullOrEmpty(entry) ? [host, entry] : [host];
    }
}
