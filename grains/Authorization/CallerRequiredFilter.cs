using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;

namespace OrleansImaging.Grains.Authorization;

/// <summary>
/// Refuses every call to one of our grains that carries no <see cref="Caller"/> (S7.2): the first door inside the
/// silo; the owning grain's policy is the second. Orleans' own system grains and extensions live in other
/// assemblies and pass untouched.
/// </summary>
public sealed class CallerRequiredFilter : IIncomingGrainCallFilter
{
    private static readonly System.Reflection.Assembly OurGrains = typeof(CallerRequiredFilter).Assembly;

    /// <inheritdoc/>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain?.GetType().Assembly == OurGrains && CallerContext.Current is null)
        {
            throw new UnauthenticatedCallException($"{context.InterfaceName}.{context.InterfaceMethod?.Name} needs a caller.");
        }
        return context.Invoke();
    }
}
