using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;

namespace OrleansImaging.Grains.Authorization;

/// <summary>The answer of a policy function.</summary>
public enum AccessDecision
{
    /// <summary>Go ahead.</summary>
    Allowed = 0,

    /// <summary>The caller may know the thing exists but may not do this (403).</summary>
    Forbidden = 1,

    /// <summary>The caller may not even know the thing exists (404): every cross-tenant refusal is this.</summary>
    NotFound = 2,
}

/// <summary>Turns a decision into our exceptions, so every grain refuses the same way.</summary>
public static class Access
{
    /// <summary>The caller of the current grain call; the incoming filter makes sure there is one.</summary>
    public static Caller CurrentCaller() =>
        CallerContext.Current ?? throw new UnauthenticatedCallException("The call carries no caller.");

    /// <summary>Throws <see cref="NotFoundException"/> or <see cref="ForbiddenException"/> unless <paramref name="decision"/> allows.</summary>
    public static void Demand(AccessDecision decision, string what)
    {
        switch (decision)
        {
            case AccessDecision.Allowed:
                return;
            case AccessDecision.Forbidden:
                throw new ForbiddenException($"Not allowed on {what}.");
            default:
                // The same message whether or not the thing exists: nothing to learn by guessing keys.
                throw new NotFoundException($"{what} not found.");
        }
    }
}
