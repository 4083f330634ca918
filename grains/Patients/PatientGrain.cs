using Orleans.Runtime;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Patients;
using OrleansImaging.Grains.Authorization;

namespace OrleansImaging.Grains.Patients;

/// <summary>A patient within one hospital: demographics (stored whole) and their studies there.</summary>
public sealed class PatientGrain(
    [PersistentState(StorageNames.PatientState, StorageNames.Provider)] IPersistentState<PatientState> state,
    TimeProvider time) : Grain, IPatientGrain
{
    private (string TenantId, string PatientId) Key()
    {
        if (!GrainKeys.TrySplit(this.GetPrimaryKeyString(), out var tenantId, out var patientId)
            || !GrainKeys.IsValidTenantId(tenantId) || !GrainKeys.IsValidPatientId(patientId))
        {
            throw new InvalidRequestException("A patient key is {tenant}/{patientId}.");
        }
        return (tenantId, patientId);
    }

    /// <inheritdoc/>
    public async Task RecordStudyAsync(PatientStudy study, PatientDemographics demographics)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(demographics);
        var (tenantId, patientId) = Key();
        Access.Demand(PatientAccess.Decide(Access.CurrentCaller(), tenantId, patientId, StudyAction.Write), "Patient");
        if (!GrainKeys.IsValidUid(study.StudyInstanceUid))
        {
            throw new InvalidRequestException("Invalid Study Instance UID.");
        }
        var studies = state.State.Studies;
        var known = studies.Any(s => s.StudyInstanceUid == study.StudyInstanceUid);
        if (known && Equals(state.State.Demographics, demographics))
        {
            return; // a retry, or another instance of a known study: nothing changed, nothing to write
        }
        state.State = state.State with
        {
            Demographics = demographics,
            Studies = known ? studies : [.. studies, study],
            UpdatedAt = time.GetUtcNow(),
        };
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PatientStudy>> GetStudiesAsync()
    {
        var (tenantId, patientId) = Key();
        Access.Demand(PatientAccess.Decide(Access.CurrentCaller(), tenantId, patientId, StudyAction.Read), "Patient");
        if (state.State.Studies.Count == 0)
        {
            throw new NotFoundException("Patient not found.");
        }
        return Task.FromResult(state.State.Studies);
    }
}
