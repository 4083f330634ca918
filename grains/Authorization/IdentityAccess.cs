using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Grains.Authorization;

/// <summary>
/// Who may provision accounts and tokens (S5.3) and check credentials. Rules:
/// <list type="bullet">
/// <item>The silo's own work (<see cref="CallerKind.System"/>: the admin endpoints behind the instance's admin key,
/// the api's authentication) may do everything.</item>
/// <item>Platform operators may create accounts of any role and tokens in any tenant.</item>
/// <item>A tenant's admins may create accounts and tokens in their own tenant, but no operator account (that would
/// be a vertical escalation out of the tenant, S3.1); in another tenant they learn nothing (NotFound).</item>
/// <item>Everybody else: Forbidden in their own tenant, NotFound elsewhere.</item>
/// <item>Checking a password or a token secret is the api's job only (System): no user can probe credentials
/// through a grain.</item>
/// </list>
/// </summary>
public static class IdentityAccess
{
    /// <summary>May <paramref name="caller"/> create an account with <paramref name="role"/> in <paramref name="tenantId"/>?</summary>
    public static AccessDecision DecideCreateUser(Caller caller, string tenantId, CallerRole role)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Kind == CallerKind.System || caller.HasAnyRole(CallerRole.Operator))
        {
            return AccessDecision.Allowed;
        }
        if (!caller.IsInTenant(tenantId))
        {
            return AccessDecision.NotFound;
        }
        return caller.HasAnyRole(CallerRole.Admin) && (role & CallerRole.Operator) == CallerRole.None
            ? AccessDecision.Allowed
            : AccessDecision.Forbidden;
    }

    /// <summary>May <paramref name="caller"/> issue or revoke tokens of <paramref name="tenantId"/>?</summary>
    public static AccessDecision DecideManageToken(Caller caller, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Kind == CallerKind.System || caller.HasAnyRole(CallerRole.Operator))
        {
            return AccessDecision.Allowed;
        }
        if (!caller.IsInTenant(tenantId))
        {
            return AccessDecision.NotFound;
        }
        return caller.HasAnyRole(CallerRole.Admin) ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }

    /// <summary>May <paramref name="caller"/> check a password or a token secret? Only the silo's own work.</summary>
    public static bool CanVerifyCredentials(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.Kind == CallerKind.System;
    }
}
