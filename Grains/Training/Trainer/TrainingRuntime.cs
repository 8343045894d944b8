using System.Runtime.InteropServices;
using TorchSharp;

namespace Study.Training.Trainer;

/// <summary>
/// Process-wide settings a training host applies once at start: torch's intra-op threads, and glibc's allocator.
/// A training step allocates and frees activations of tens of megabytes; by default glibc serves each from a
/// fresh mmap and unmaps it on free, so every step page-faults its whole working set again (measured here: an
/// element-wise op on a 51 MB tensor takes 20 ms instead of 4). Keeping large blocks on the heap and never trimming
/// it makes the working set reused, and resident memory flat at its peak. That holds for glibc's main heap only: a
/// thread's own arena cannot hold a block over 64 MB and maps each afresh, so the launchers set MALLOC_ARENA_MAX=1
/// (read by glibc at start, before any thread: too late to set here), which puts every thread on the main heap.
/// </summary>
public static class TrainingRuntime
{
    const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD
    const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD
    static int allocatorTuned;

    /// <param name="threads">torch intra-op threads, shared by every trial in the process</param>
    public static void Initialize(int threads)
    {
        TuneAllocator();
        torch.set_num_threads(threads);
    }

    public static void TuneAllocator()
    {
        if (Interlocked.Exchange(ref allocatorTuned, 1) == 1 || !OperatingSystem.IsLinux()) return;
        try
        {
            // A refused setting leaves glibc's default, which is only slower: nothing to report.
            _ = mallopt(MallocMmapThreshold, 1 << 30);
            _ = mallopt(MallocTrimThreshold, int.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, say): its allocator has no such knobs; training still works, only slower.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int parameter, int value);
}
