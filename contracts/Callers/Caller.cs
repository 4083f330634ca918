namespace OrleansImaging.Contracts.Callers;

/// <summary>What kind of principal a <see cref="Caller"/> is.</summary>
public enum CallerKind
{
    /// <summary>A person signed in through the api (a session).</summary>
    User = 0,

    /// <summary>An API token (a modality, a PACS, a script), issued for one tenant with explicit scopes.</summary>
    Token = 1,

    /// <summary>The silo's own background work (compression, replication). Never built from a request.</summary>
    System = 2,
}

/// <summary>The roles of a caller within its tenant (the whitepaper's roles; least privilege per S5.1).</summary>
[Flags]
public enum CallerRole
{
    /// <summary>No role: such a caller may do nothing but identify itself.</summary>
    None = 0,

    /// <summary>A general doctor: reads and stores the hospital's studies.</summary>
    Doctor = 1,

    /// <summary>A chief physician: a doctor who also reviews and signs reports.</summary>
    Chief = 2,

    /// <summary>A hospital administrator: manages the hospital's settings, accounts and devices.</summary>
    Admin = 4,

    /// <summary>A platform operator: manages tenants; sees no clinical data.</summary>
    Operator = 8,

    /// <summary>A patient: only their own data, through person links (not yet modelled).</summary>
    Patient = 16,
}

/// <summary>The OAuth-style scopes a credential carries; a scope bounds what the credential may do whatever the roles.</summary>
public static class Scopes
{
    /// <summary>Read studies over DICOMweb (QIDO-RS, WADO-RS).</summary>
    public const string DicomwebRead = "dicomweb:read";

    /// <summary>Store studies over DICOMweb (STOW-RS) or the upload path.</summary>
    public const string DicomwebWrite = "dicomweb:write";
}

/// <summary>
/// Who is calling a grain. Set by trusted infrastructure only (the api after authentication, the silo for
/// its own work) through <see cref="CallerContext"/>; grains never take it from a method argument.
/// </summary>
/// <param name="Kind">User, token or system.</param>
/// <param name="Id">The user or token id, unique within the tenant.</param>
/// <param name="TenantId">The tenant (hospital) the caller belongs to.</param>
/// <param name="Roles">The caller's roles within <paramref name="TenantId"/>.</param>
/// <param name="Scopes">The scopes of the credential (<see cref="Callers.Scopes"/>).</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.Caller")]
public sealed record Caller(
    [property: Id(0)] CallerKind Kind,
    [property: Id(1)] string Id,
    [property: Id(2)] string TenantId,
    [property: Id(3)] CallerRole Roles,
    [property: Id(4)] IReadOnlyList<string> Scopes)
{
    /// <summary>Whether the caller has at least one of <paramref name="roles"/>.</summary>
    public bool HasAnyRole(CallerRole roles) => (Roles & roles) != CallerRole.None;

    /// <summary>Whether the credential carries <paramref name="scope"/> (ordinal comparison).</summary>
    public bool HasScope(string scope)
    {
        foreach (var s in Scopes)
        {
            if (string.Equals(s, scope, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the caller belongs to <paramref name="tenantId"/> (ordinal comparison: tenant ids are case-sensitive).</summary>
    public bool IsInTenant(string tenantId) => string.Equals(TenantId, tenantId, StringComparison.Ordinal);
}
