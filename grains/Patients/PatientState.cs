using OrleansImaging.Contracts.Patients;

namespace OrleansImaging.Grains.Patients;

/// <summary>
/// A patient's persisted state: demographics and the list of studies. A patient has tens of studies, not
/// thousands, so the list can live in the state (unlike a study's instance catalogue).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.PatientState")]
public sealed record PatientState
{
    /// <summary>The latest demographics received; null until the first study.</summary>
    [Id(0)] public PatientDemographics? Demographics { get; init; }

    /// <summary>The patient's studies, oldest first.</summary>
    [Id(1)] public IReadOnlyList<PatientStudy> Studies { get; init; } = [];

    /// <summary>When the record last changed.</summary>
    [Id(2)] public DateTimeOffset UpdatedAt { get; init; }
}
