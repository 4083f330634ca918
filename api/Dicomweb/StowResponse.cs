using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Dicomweb;

/// <summary>
/// The STOW-RS response data set (PS3.18 10.5.3): Retrieve URL of the study, the Referenced SOP Sequence of what
/// was kept and the Failed SOP Sequence with a Failure Reason (PS3.4 Annex GG codes) for the rest.
/// </summary>
internal sealed class StowResponse(string baseUrl)
{
    /// <summary>Processing failure.</summary>
    public const ushort ProcessingFailure = 0x0110;

    /// <summary>The SOP Instance UID conflicts with a stored instance of different content.</summary>
    public const ushort DuplicateConflict = 0x0111;

    /// <summary>The data set does not match the request (e.g. another study than the URL names).</summary>
    public const ushort DataSetDoesNotMatch = 0xA900;

    /// <summary>The part could not be read as DICOM.</summary>
    public const ushort CannotUnderstand = 0xC000;

    private readonly List<DicomDataset> _referenced = [];
    private readonly List<DicomDataset> _failed = [];
    private readonly HashSet<string> _studies = new(StringComparer.Ordinal);
    private readonly List<(string? SopInstanceUid, ushort Reason)> _failures = [];

    public int ReferencedCount => _referenced.Count;

    public int FailedCount => _failed.Count;

    /// <summary>Of the referenced instances, those that were stored before with the same content.</summary>
    public int AlreadyStoredCount { get; private set; }

    /// <summary>Counts a referenced instance as one the archive already held.</summary>
    public void CountAlreadyStored() => AlreadyStoredCount++;

    /// <summary>The instances not kept, with their failure reasons, in the order they failed.</summary>
    public IReadOnlyList<(string? SopInstanceUid, ushort Reason)> Failures => _failures;

    /// <summary>200 when every part was kept, 409 when none was, 202 for a mix (PS3.18 10.5.3).</summary>
    public int StatusCode => FailedCount == 0 ? 200 : ReferencedCount == 0 ? 409 : 202;

    public void Referenced(string sopClassUid, string sopInstanceUid, string study, string series)
    {
        _studies.Add(study);
        _referenced.Add(new DicomDataset()
            .Add(DicomTag.ReferencedSOPClassUID, sopClassUid)
            .Add(DicomTag.ReferencedSOPInstanceUID, sopInstanceUid)
            .Add(DicomTag.RetrieveURL, $"{baseUrl}/studies/{study}/series/{series}/instances/{sopInstanceUid}"));
    }

    public void Failed(string? sopClassUid, string? sopInstanceUid, ushort reason)
    {
        var item = new DicomDataset();
        if (!string.IsNullOrEmpty(sopClassUid))
            item.Add(DicomTag.ReferencedSOPClassUID, sopClassUid);
        if (!string.IsNullOrEmpty(sopInstanceUid))
            item.Add(DicomTag.ReferencedSOPInstanceUID, sopInstanceUid);
        item.Add(DicomTag.FailureReason, reason);
        _failed.Add(item);
        _failures.Add((string.IsNullOrEmpty(sopInstanceUid) ? null : sopInstanceUid, reason));
    }

    public DicomDataset ToDataset()
    {
        var dataset = new DicomDataset();
        if (_studies.Count == 1)
            dataset.Add(DicomTag.RetrieveURL, $"{baseUrl}/studies/{_studies.First()}");
        if (_referenced.Count > 0)
            dataset.Add(DicomTag.ReferencedSOPSequence, [.. _referenced]);
        if (_failed.Count > 0)
            dataset.Add(DicomTag.FailedSOPSequence, [.. _failed]);
        return dataset;
    }
}
