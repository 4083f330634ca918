using OrleansImaging.Contracts.Callers;

namespace OrleansImaging.Grains.Authorization;

/// <summary>
/// Who may read and update a patient's record in a hospital. The same rules as <see cref="StudyAccess"/> (a patient
/// record is clinical data of the tenant); a patient will see their own record through a person link, the check
/// for which goes here when links exist.
/// </summary>
public static class PatientAccess
{
    /// <summary>Allowed, Forbidden or NotFound for <paramref name="action"/> on a patient of <paramref name="tenantId"/>.</summary>
    public static AccessDecision Decide(Caller caller, string tenantId, string patientId, StudyAction action)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        // Person links (caller → patientId) are not modelled yet: until they are, the patient role grants nothing.
        return StudyAccess.Decide(caller, tenantId, action);
    }
}
