using Orleans.Runtime;

namespace OrleansImaging.Contracts.Callers;

/// <summary>
/// Carries the <see cref="Caller"/> on grain calls through Orleans <see cref="RequestContext"/>, under one key.
/// Only trusted infrastructure sets it (the api after authenticating a request, the silo for its own work);
/// the incoming grain-call filter refuses calls to our grains without one.
/// </summary>
public static class CallerContext
{
    /// <summary>The <see cref="RequestContext"/> key. Kept short because it travels with every call.</summary>
    public const string Key = "oi-caller";

    /// <summary>Puts <paramref name="caller"/> on the calls made from the current async flow.</summary>
    public static void Set(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        RequestContext.Set(Key, caller);
    }

    /// <summary>The caller of the current call, or null if none was set.</summary>
    public static Caller? Current => RequestContext.Get(Key) as Caller;

    /// <summary>Removes the caller from the current async flow.</summary>
    public static void Clear() => RequestContext.Remove(Key);

    /// <summary>Sets <paramref name="caller"/> until the returned scope is disposed, then restores what was there.</summary>
    public static IDisposable Use(Caller caller)
    {
        var previous = Current;
        Set(caller);
        return new Restore(previous);
    }

    private sealed class Restore(Caller? previous) : IDisposable
    {
        public void Dispose()
        {
            if (previous is null)
            {
                Clear();
            }
            else
            {
                Set(previous);
            }
        }
    }
}
