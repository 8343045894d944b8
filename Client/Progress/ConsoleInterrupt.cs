namespace Study.Client.Progress;

/// <summary>
/// Lets an interactive view take the first Ctrl-C instead of the process (which would cancel the command): the
/// live view of `study run` then asks whether to cancel the study or to detach.
/// </summary>
public static class ConsoleInterrupt
{
    static volatile Action? handler;

    /// <summary>Routes Ctrl-C to <paramref name="onInterrupt"/> until the returned value is disposed.</summary>
    public static IDisposable Intercept(Action onInterrupt)
    {
        handler = onInterrupt;
        return new Release(onInterrupt);
    }

    /// <returns>true when an interceptor took this Ctrl-C</returns>
    public static bool TryIntercept()
    {
        var current = handler;
        if (current is null) return false;
        current();
        return true;
    }

    sealed class Release(Action owner) : IDisposable
    {
        public void Dispose()
        {
            if (handler == owner) handler = null;
        }
    }
}
