using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Grains.Authorization;

/// <summary>What a caller wants to do to a study (and to the patient record it feeds).</summary>
public enum StudyAction
{
    /// <summary>Search, retrieve, read metadata (WADO-RS, QIDO-RS).</summary>
    Read = 0,

    /// <summary>Store instances (STOW-RS, uploads).</summary>
    Write = 1,
}

/// <summary>
/// The one place that decides who may read and store a hospital's studies. Rules:
/// <list type="bullet">
/// <item>Never across tenants: a caller of another tenant gets <see cref="AccessDecision.NotFound"/> whatever its
/// roles (S3.2, S7.4) — operators included, they manage tenants, not clinical data.</item>
/// <item>Within the tenant a person or token needs a clinical role (Doctor, Chief, or Admin, who stores on behalf of
/// devices) AND the credential's scope for the action: <see cref="Scopes.DicomwebRead"/> to read,
/// <see cref="Scopes.DicomwebWrite"/> to store. A read-only token cannot store (S3.1).</item>
/// <item>Patients see only their own studies, through person links that are not modelled yet: until then a
/// patient sees nothing, and this is where the link check goes.</item>
/// <item>The silo's own work (<see cref="CallerKind.System"/>) may do anything within its tenant.</item>
/// </list>
/// A same-tenant caller who may do one of read/write but not the other gets <see cref="AccessDecision.Forbidden"/>
/// for the other: it already knows the study exists.
/// </summary>
public static class StudyAccess
{
    /// <summary>The roles that may touch clinical data at all.</summary>
    public const CallerRole ClinicalRoles = CallerRole.Doctor | CallerRole.Chief | CallerRole.Admin;

    /// <summary>Whether <paramref name="caller"/> may read studies of <paramref name="tenantId"/>.</summary>
    public static bool CanRead(Caller caller, string tenantId) => Can(caller, tenantId, StudyAction.Read);

    /// <summary>Whether <paramref name="caller"/> may store into studies of <paramref name="tenantId"/>.</summary>
    public static bool CanWrite(Caller caller, string tenantId) => Can(caller, tenantId, StudyAction.Write);

    /// <summary>Allowed, Forbidden (same tenant, may do the other action) or NotFound.</summary>
    public static AccessDecision Decide(Caller caller, string tenantId, StudyAction action)
    {
        if (Can(caller, tenantId, action))
        {
            return AccessDecision.Allowed;
        }
        var other = action == StudyAction.Read ? StudyAction.Write : StudyAction.Read;
        return Can(caller, tenantId, other) ? AccessDecision.Forbidden : AccessDecision.NotFound;
    }

    private static bool Can(Caller caller, string tenantId, StudyAction action)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsInTenant(tenantId))
        {
            return false;
        }
        if (caller.Kind == CallerKind.System)
        {
            return true;
        }
        // Patients: person links are not modelled yet, so no study is theirs. Add the link check here.
        if (!caller.HasAnyRole(ClinicalRoles))
        {
            return false;
        }
        return caller.HasScope(action == StudyAction.Read ? Scopes.DicomwebRead : Scopes.DicomwebWrite);
    }
}
