using System.Collections.Frozen;
using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Index;

/// <summary>How a matching key's value is read and compared (PS3.4 C.2.2.2, as PS3.18 10.6.1.2 uses it).</summary>
internal enum QidoMatchKind
{
    /// <summary>One value, exact or with <c>*</c>/<c>?</c> wildcards, case-sensitive.</summary>
    Text,

    /// <summary>One PN value with wildcards, case-insensitive, against any component group.</summary>
    PersonName,

    /// <summary>A DA value or range.</summary>
    Date,

    /// <summary>A TM value or range.</summary>
    Time,

    /// <summary>A backslash-separated list of UIDs, no wildcards.</summary>
    UidList,

    /// <summary>A backslash-separated list of code strings, each exact or with wildcards.</summary>
    CodeList,

    /// <summary>One IS value.</summary>
    Integer,
}

/// <summary>A matching key the index supports: its tag, the level whose row holds it, and how it matches.</summary>
internal sealed record QidoAttribute(DicomTag Tag, string Keyword, QueryLevel Level, QidoMatchKind Kind);

/// <summary>
/// What the index matches on and returns at each level. The required result attributes are
/// PS3.18's (Tables 10.6.3-3 to -5); the stored attributes are the modules that belong to the
/// level (Patient, General Study and Patient Study; General Series, General Equipment and Frame of
/// Reference); an instance's row stores the rest of its top-level header.
/// </summary>
internal static class QidoAttributes
{
    public static readonly FrozenDictionary<DicomTag, QidoAttribute> Matchable = new QidoAttribute[]
    {
        new(DicomTag.StudyDate, "StudyDate", QueryLevel.Study, QidoMatchKind.Date),
        new(DicomTag.StudyTime, "StudyTime", QueryLevel.Study, QidoMatchKind.Time),
        new(DicomTag.AccessionNumber, "AccessionNumber", QueryLevel.Study, QidoMatchKind.Text),
        new(DicomTag.ModalitiesInStudy, "ModalitiesInStudy", QueryLevel.Study, QidoMatchKind.CodeList),
        new(DicomTag.ReferringPhysicianName, "ReferringPhysicianName", QueryLevel.Study, QidoMatchKind.PersonName),
        new(DicomTag.PatientName, "PatientName", QueryLevel.Study, QidoMatchKind.PersonName),
        new(DicomTag.PatientID, "PatientID", QueryLevel.Study, QidoMatchKind.Text),
        new(DicomTag.PatientBirthDate, "PatientBirthDate", QueryLevel.Study, QidoMatchKind.Date),
        new(DicomTag.PatientSex, "PatientSex", QueryLevel.Study, QidoMatchKind.Text),
        new(DicomTag.StudyInstanceUID, "StudyInstanceUID", QueryLevel.Study, QidoMatchKind.UidList),
        new(DicomTag.StudyID, "StudyID", QueryLevel.Study, QidoMatchKind.Text),
        new(DicomTag.StudyDescription, "StudyDescription", QueryLevel.Study, QidoMatchKind.Text),
        new(DicomTag.Modality, "Modality", QueryLevel.Series, QidoMatchKind.CodeList),
        new(DicomTag.SeriesInstanceUID, "SeriesInstanceUID", QueryLevel.Series, QidoMatchKind.UidList),
        new(DicomTag.SeriesNumber, "SeriesNumber", QueryLevel.Series, QidoMatchKind.Integer),
        new(DicomTag.SeriesDescription, "SeriesDescription", QueryLevel.Series, QidoMatchKind.Text),
        new(DicomTag.BodyPartExamined, "BodyPartExamined", QueryLevel.Series, QidoMatchKind.Text),
        new(DicomTag.PerformedProcedureStepStartDate, "PerformedProcedureStepStartDate", QueryLevel.Series, QidoMatchKind.Date),
        new(DicomTag.PerformedProcedureStepStartTime, "PerformedProcedureStepStartTime", QueryLevel.Series, QidoMatchKind.Time),
        new(DicomTag.SOPClassUID, "SOPClassUID", QueryLevel.Instance, QidoMatchKind.UidList),
        new(DicomTag.SOPInstanceUID, "SOPInstanceUID", QueryLevel.Instance, QidoMatchKind.UidList),
        new(DicomTag.InstanceNumber, "InstanceNumber", QueryLevel.Instance, QidoMatchKind.Integer),
    }.ToFrozenDictionary(a => a.Tag);

    /// <summary>Stored in the study row's JSON (besides SpecificCharacterSet).</summary>
    public static readonly FrozenSet<DicomTag> StudyStored = new[]
    {
        DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.AccessionNumber, DicomTag.ReferringPhysicianName,
        DicomTag.StudyDescription, DicomTag.NameOfPhysiciansReadingStudy, DicomTag.AdmittingDiagnosesDescription,
        DicomTag.PatientName, DicomTag.PatientID, DicomTag.IssuerOfPatientID, DicomTag.PatientBirthDate,
        DicomTag.PatientSex, DicomTag.PatientAge, DicomTag.PatientSize, DicomTag.PatientWeight,
        DicomTag.StudyInstanceUID, DicomTag.StudyID,
    }.ToFrozenSet();

    /// <summary>Stored in the series row's JSON (besides SpecificCharacterSet).</summary>
    public static readonly FrozenSet<DicomTag> SeriesStored = new[]
    {
        DicomTag.Modality, DicomTag.SeriesInstanceUID, DicomTag.SeriesNumber, DicomTag.SeriesDescription,
        DicomTag.SeriesDate, DicomTag.SeriesTime, DicomTag.BodyPartExamined, DicomTag.Laterality, DicomTag.ProtocolName,
        DicomTag.OperatorsName, DicomTag.PerformingPhysicianName, DicomTag.PerformedProcedureStepStartDate,
        DicomTag.PerformedProcedureStepStartTime, DicomTag.PerformedProcedureStepID, DicomTag.PerformedProcedureStepDescription,
        DicomTag.Manufacturer, DicomTag.ManufacturerModelName, DicomTag.InstitutionName, DicomTag.InstitutionalDepartmentName,
        DicomTag.StationName, DicomTag.FrameOfReferenceUID, DicomTag.PatientPosition,
    }.ToFrozenSet();

    /// <summary>PS3.18 Table 10.6.3-3: returned for every study match.</summary>
    public static readonly FrozenSet<DicomTag> StudyRequired = new[]
    {
        DicomTag.SpecificCharacterSet, DicomTag.StudyDate, DicomTag.StudyTime, DicomTag.AccessionNumber,
        DicomTag.ModalitiesInStudy, DicomTag.ReferringPhysicianName, DicomTag.PatientName, DicomTag.PatientID,
        DicomTag.PatientBirthDate, DicomTag.PatientSex, DicomTag.StudyInstanceUID, DicomTag.StudyID,
        DicomTag.NumberOfStudyRelatedSeries, DicomTag.NumberOfStudyRelatedInstances,
    }.ToFrozenSet();

    /// <summary>PS3.18 Table 10.6.3-4: returned for every series match (StudyInstanceUID too, so a client can build the series' URL).</summary>
    public static readonly FrozenSet<DicomTag> SeriesRequired = new[]
    {
        DicomTag.SpecificCharacterSet, DicomTag.Modality, DicomTag.SeriesDescription, DicomTag.SeriesNumber,
        DicomTag.SeriesInstanceUID, DicomTag.NumberOfSeriesRelatedInstances, DicomTag.PerformedProcedureStepStartDate,
        DicomTag.PerformedProcedureStepStartTime, DicomTag.StudyInstanceUID,
    }.ToFrozenSet();

    /// <summary>PS3.18 Table 10.6.3-5: returned for every instance match (with its study and series UIDs).</summary>
    public static readonly FrozenSet<DicomTag> InstanceRequired = new[]
    {
        DicomTag.SpecificCharacterSet, DicomTag.SOPClassUID, DicomTag.SOPInstanceUID, DicomTag.InstanceNumber,
        DicomTag.Rows, DicomTag.Columns, DicomTag.BitsAllocated, DicomTag.NumberOfFrames,
        DicomTag.StudyInstanceUID, DicomTag.SeriesInstanceUID,
    }.ToFrozenSet();

    /// <summary>Whether a key stored at <paramref name="keyLevel"/> can be matched in a query at <paramref name="level"/>
    /// whose path fixes the given parents: a query's own level always, a parent level only when the path leaves it open.</summary>
    public static bool IsMatchableAt(QueryLevel keyLevel, QueryLevel level, bool studyInPath, bool seriesInPath) => keyLevel switch
    {
        QueryLevel.Study => level == QueryLevel.Study || !studyInPath,
        QueryLevel.Series => level == QueryLevel.Series || (level == QueryLevel.Instance && !seriesInPath),
        _ => level == QueryLevel.Instance,
    };
}
