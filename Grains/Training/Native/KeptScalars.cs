using TorchSharp;

namespace Study.Training.Native;

/// <summary>
/// Numbers for libtorch calls, as Scalars that outlive the call. TorchSharp turns a number into a Scalar implicitly
/// (<c>x * 2</c>, and the alpha of 1 in <c>x + y</c> or <c>x.add(y)</c>) and leaves it to the finalizer. Once its
/// handle is passed, nothing refers to that Scalar, so a garbage collection during the native call can free it while
/// libtorch still reads it: the step then fails with libtorch's "Expected false to be true" from toFloat, or reads a
/// wrong number (docs/ARCHITECTURE.md, "Scalars"). The training code therefore makes no implicit Scalar (a test scans
/// the assembly for one) and passes <see cref="S(double)"/> instead: this thread's ring of recent Scalars keeps each
/// alive until <see cref="Capacity"/> newer ones have been made on the same thread, long after the synchronous call
/// that used it returned. Use one at once, as an argument; never keep it.
/// </summary>
public static class KeptScalars
{
    public const int Capacity = 256;
    [ThreadStatic] static Scalar?[]? ring;
    [ThreadStatic] static int next;

    public static Scalar S(double value) => Keep(value.ToScalar());
    public static Scalar S(float value) => Keep(value.ToScalar());
    public static Scalar S(long value) => Keep(value.ToScalar());
    public static Scalar S(int value) => Keep(value.ToScalar());

    /// <summary>The alpha of an addition: <c>a.add(b, One)</c> is <c>a + b</c>. A static field is never finalized,
    /// and libtorch only reads it, so every thread shares this one.</summary>
    public static readonly Scalar One = 1.ToScalar();

    static Scalar Keep(Scalar scalar)
    {
        var kept = ring ??= new Scalar?[Capacity];
        kept[next]?.Dispose();
        kept[next] = scalar;
        next = (next + 1) % Capacity;
        return scalar;
    }
}
