using System.Reflection;
using Study.Grains.Storage;

namespace Study.Tests.Runtime;

/// <summary>A real store with a hook around every call: the hook gets the method's name, its arguments and a way to
/// make the call, so a test can fail a call, or write behind the caller's back first.</summary>
public class InterceptedStore : DispatchProxy
{
    IStudyStore inner = null!;
    Func<string, object?[], Func<object?>, object?> around = null!;

    protected override object? Invoke(MethodInfo? method, object?[]? args) =>
        around(method!.Name, args ?? [], () => method.Invoke(inner, args));

    public static IStudyStore Wrap(IStudyStore inner, Func<string, object?[], Func<object?>, object?> around)
    {
        var proxy = Create<IStudyStore, InterceptedStore>();
        var intercepted = (InterceptedStore)(object)proxy;
        intercepted.inner = inner;
        intercepted.around = around;
        return proxy;
    }

    /// <summary>The store, with the first call of <paramref name="method"/> failing as a timeout would.</summary>
    public static IStudyStore FailingOnce(IStudyStore inner, string method)
    {
        int failed = 0;
        return Wrap(inner, (name, _, call) => name == method && Interlocked.Exchange(ref failed, 1) == 0
            ? Task.FromException(new TimeoutException("the store did not answer (injected)"))
            : call());
    }
}
