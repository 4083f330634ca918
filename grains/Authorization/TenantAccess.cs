using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Grains.Authorization;

/// <summary>
/// Who may create and see tenants. Platform operators create and see every tenant (the operations platform);
/// anyone with a role in a tenant, and the silo's own work there, sees that tenant; nobody else learns it exists.
/// </summary>
public static class TenantAccess
{
    /// <summary>Whether <paramref name="caller"/> may create tenants (operators only, S3.1/S5.3).</summary>
    public static bool CanCreate(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.HasAnyRole(CallerRole.Operator);
    }

    /// <summary>Whether <paramref name="caller"/> may see tenant <paramref name="tenantId"/>.</summary>
    public static bool CanRead(Caller caller, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.HasAnyRole(CallerRole.Operator))
        {
            return true;
        }
        return caller.IsInTenant(tenantId) && (caller.Kind == CallerKind.System || caller.Roles != CallerRole.None);
    }

    /// <summary>Creation: Allowed for operators; otherwise Forbidden if the caller may see the tenant, else NotFound.</summary>
    public static AccessDecision DecideCreate(Caller caller, string tenantId) =>
        CanCreate(caller) ? AccessDecision.Allowed
        : CanRead(caller, tenantId) ? AccessDecision.Forbidden
        : AccessDecision.NotFound;

    /// <summary>
    /// Whether <paramref name="caller"/> may change tenant <paramref name="tenantId"/>'s settings (archive compression):
    /// the hospital's own admins, and operators (who run the platform). Doctors and tokens may not (S3.1).
    /// </summary>
    public static bool CanManageSettings(Caller caller, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.HasAnyRole(CallerRole.Operator) || caller.IsInTenant(tenantId) && caller.Kind == CallerKind.User && caller.HasAnyRole(CallerRole.Admin);
    }

    /// <summary>Settings: Allowed, Forbidden for someone who may see the tenant, else NotFound.</summary>
    public static AccessDecision DecideManageSettings(Caller caller, string tenantId) =>
        CanManageSettings(caller, tenantId) ? AccessDecision.Allowed
        : CanRead(caller, tenantId) ? AccessDecision.Forbidden
        : AccessDecision.NotFound;

    /// <summary>
    /// Who may read tenant <paramref name="tenantId"/>'s registered devices: whoever may manage its settings, and the
    /// tenant's own tokens with <c>dicomweb:write</c> (the edge, whose allow-list it is). Another tenant's caller gets
    /// NotFound; someone who may see the tenant but not its devices (a doctor, a read-only token) Forbidden (S3.1, S3.2).
    /// </summary>
    public static AccessDecision DecideReadDevices(Caller caller, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (CanManageSettings(caller, tenantId)
            || caller.Kind == CallerKind.Token && caller.IsInTenant(tenantId) && caller.HasScope(Scopes.DicomwebWrite))
        {
            return AccessDecision.Allowed;
        }
        return CanRead(caller, tenantId) ? AccessDecision.Forbidden : AccessDecision.NotFound;
    }
}
