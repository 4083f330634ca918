namespace OrleansImaging.Contracts.Patients;

/// <summary>A patient within one hospital. Key: <c>{tenant}/{patientId}</c> (<see cref="GrainKeys.Patient"/>).</summary>
public interface IPatientGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records that <paramref name="study"/> belongs to this patient and keeps the latest demographics (stored
    /// whole; masking happens where they are returned). Idempotent per Study Instance UID. Needs write access.
    /// </summary>
    Task RecordStudyAsync(PatientStudy study, PatientDemographics demographics);

    /// <summary>The patient's studies in this hospital, oldest first. Throws <see cref="Errors.NotFoundException"/> if unknown or not visible.</summary>
    Task<IReadOnlyList<PatientStudy>> GetStudiesAsync();
}

/// <summary>A patient's demographics as received in DICOM (Patient Module).</summary>
/// <param name="PatientName">Patient's Name (0010,0010) in DICOM PN form.</param>
/// <param name="BirthDate">Patient's Birth Date (0010,0030), DA form (YYYYMMDD), or null.</param>
/// <param name="Sex">Patient's Sex (0010,0040): M, F, O, or null.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.PatientDemographics")]
public sealed record PatientDemographics(
    [property: Id(0)] string? PatientName,
    [property: Id(1)] string? BirthDate,
    [property: Id(2)] string? Sex);

/// <summary>One study of a patient.</summary>
/// <param name="StudyInstanceUid">The study.</param>
/// <param name="StudyDate">Study Date (0008,0020), DA form, or null.</param>
/// <param name="Description">Study Description (0008,1030), or null.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.PatientStudy")]
public sealed record PatientStudy(
    [property: Id(0)] string StudyInstanceUid,
    [property: Id(1)] string? StudyDate,
    [property: Id(2)] string? Description);
