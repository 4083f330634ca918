using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Index;

/// <summary>
/// What the query index keeps of one stored instance: the identifiers and values it matches and
/// sorts on, where the object is, and the DICOM JSON of the attributes it returns for the study,
/// the series and the instance. Built from the header by <see cref="FromDataset"/>; text values
/// are decoded (Unicode), whatever character set the object was written in.
/// </summary>
public sealed record IndexedInstance
{
    public required string TenantId { get; init; }
    public required string StudyInstanceUid { get; init; }
    public required string SeriesInstanceUid { get; init; }
    public required string SopInstanceUid { get; init; }
    public string SopClassUid { get; init; } = "";
    public int? InstanceNumber { get; init; }

    /// <summary>The decoded PN value with all its groups, e.g. <c>Wang^XiaoDong=王^小东</c>.</summary>
    public string PatientName { get; init; } = "";
    public string PatientId { get; init; } = "";

    /// <summary><c>YYYYMMDD</c>, or empty when absent or not a date.</summary>
    public string PatientBirthDate { get; init; } = "";
    public string PatientSex { get; init; } = "";

    /// <summary><c>YYYYMMDD</c>, or empty when absent or not a date.</summary>
    public string StudyDate { get; init; } = "";

    /// <summary><c>HHMMSS.FFFFFF</c>, or empty when absent or not a time.</summary>
    public string StudyTime { get; init; } = "";
    public string AccessionNumber { get; init; } = "";
    public string StudyId { get; init; } = "";
    public string StudyDescription { get; init; } = "";

    /// <summary>The decoded PN value with all its groups.</summary>
    public string ReferringPhysicianName { get; init; } = "";
    public string Modality { get; init; } = "";
    public int? SeriesNumber { get; init; }
    public string SeriesDescription { get; init; } = "";
    public string BodyPartExamined { get; init; } = "";

    /// <summary><c>YYYYMMDD</c>, or empty.</summary>
    public string PerformedProcedureStepStartDate { get; init; } = "";

    /// <summary><c>HHMMSS.FFFFFF</c>, or empty.</summary>
    public string PerformedProcedureStepStartTime { get; init; } = "";
    public int? NumberOfFrames { get; init; }
    public int? Rows { get; init; }
    public int? Columns { get; init; }
    public int? BitsAllocated { get; init; }
    public string TransferSyntaxUid { get; init; } = "";

    /// <summary>Where the object is in blob storage.</summary>
    public required string BlobKey { get; init; }

    /// <summary>The object's length in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The object's SHA-256, lower-case hexadecimal.</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>DICOM JSON of the study-level attributes (Patient, General Study, Patient Study modules).</summary>
    public string StudyJson { get; init; } = "{}";

    /// <summary>DICOM JSON of the series-level attributes (General Series, General Equipment, Frame of Reference).</summary>
    public string SeriesJson { get; init; } = "{}";

    /// <summary>
    /// DICOM JSON of the instance's other top-level attributes that are small text or numbers. Not
    /// kept: the file meta group, private attributes, binary values (pixel data, overlays, ICC
    /// profiles), sequences and values over <see cref="IndexedLevels.MaxStoredValueBytes"/> bytes —
    /// WADO-RS metadata serves those from the object itself.
    /// </summary>
    public string InstanceJson { get; init; } = "{}";

    /// <summary>Extracts what the index needs from a parsed header.</summary>
    /// <param name="tenantId">The tenant the object was stored for.</param>
    /// <param name="header">The data set (pixel data may be absent or left in the source).</param>
    /// <param name="blobKey">Where the object is stored.</param>
    /// <param name="size">The object's length in bytes.</param>
    /// <param name="sha256">The object's SHA-256.</param>
    /// <param name="transferSyntaxUid">The object's transfer syntax from its file meta information, if known.</param>
    /// <exception cref="QueryIndexException">The header lacks a Study, Series or SOP Instance UID.</exception>
    public static IndexedInstance FromDataset(string tenantId, DicomDataset header, string blobKey, long size, string sha256, string? transferSyntaxUid = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(header);
        var levels = IndexedLevels.Split(header);
        return new IndexedInstance
        {
            TenantId = tenantId,
            StudyInstanceUid = RequiredUid(header, DicomTag.StudyInstanceUID),
            SeriesInstanceUid = RequiredUid(header, DicomTag.SeriesInstanceUID),
            SopInstanceUid = RequiredUid(header, DicomTag.SOPInstanceUID),
            SopClassUid = Text(header, DicomTag.SOPClassUID),
            InstanceNumber = Integer(header, DicomTag.InstanceNumber),
            PatientName = Text(header, DicomTag.PatientName),
            PatientId = Text(header, DicomTag.PatientID),
            PatientBirthDate = IndexKeys.DateKey(Text(header, DicomTag.PatientBirthDate)),
            PatientSex = Text(header, DicomTag.PatientSex),
            StudyDate = IndexKeys.DateKey(Text(header, DicomTag.StudyDate)),
            StudyTime = IndexKeys.TimeKey(Text(header, DicomTag.StudyTime)),
            AccessionNumber = Text(header, DicomTag.AccessionNumber),
            StudyId = Text(header, DicomTag.StudyID),
            StudyDescription = Text(header, DicomTag.StudyDescription),
            ReferringPhysicianName = Text(header, DicomTag.ReferringPhysicianName),
            Modality = Text(header, DicomTag.Modality),
            SeriesNumber = Integer(header, DicomTag.SeriesNumber),
            SeriesDescription = Text(header, DicomTag.SeriesDescription),
            BodyPartExamined = Text(header, DicomTag.BodyPartExamined),
            PerformedProcedureStepStartDate = IndexKeys.DateKey(Text(header, DicomTag.PerformedProcedureStepStartDate)),
            PerformedProcedureStepStartTime = IndexKeys.TimeKey(Text(header, DicomTag.PerformedProcedureStepStartTime)),
            NumberOfFrames = Integer(header, DicomTag.NumberOfFrames),
            Rows = Integer(header, DicomTag.Rows),
            Columns = Integer(header, DicomTag.Columns),
            BitsAllocated = Integer(header, DicomTag.BitsAllocated),
            TransferSyntaxUid = transferSyntaxUid ?? Text(header, DicomTag.TransferSyntaxUID),
            BlobKey = blobKey,
            Size = size,
            Sha256 = sha256,
            StudyJson = levels.StudyJson,
            SeriesJson = levels.SeriesJson,
            InstanceJson = levels.InstanceJson,
        };
    }

    private static string RequiredUid(DicomDataset header, DicomTag tag)
    {
        var uid = Text(header, tag);
        return uid.Length > 0 ? uid : throw new QueryIndexException($"The header has no {tag} value; the index is keyed by it.");
    }

    private static string Text(DicomDataset header, DicomTag tag)
    {
        try
        {
            return header.GetStringOrNull(tag)?.Trim(' ', '\0') ?? "";
        }
        catch (DicomException)
        {
            // A value the header's character set cannot decode is left out of the index rather than failing the store.
            return "";
        }
    }

    private static int? Integer(DicomDataset header, DicomTag tag) =>
        header.TryGet<int>(tag, out var value) ? value : null;
}
