namespace OrleansImaging.Dicom.Network;

/// <summary>DIMSE status codes (0000,0900) this library sends (PS3.7 annex C, PS3.4 B.2.3).</summary>
public static class DicomStatus
{
    /// <summary>0000H Success.</summary>
    public const ushort Success = 0x0000;

    /// <summary>0110H Processing failure (PS3.7 C.4.2): the handler failed for a reason other than resources.</summary>
    public const ushort ProcessingFailure = 0x0110;

    /// <summary>0122H SOP class not supported (PS3.7 C.5.4).</summary>
    public const ushort SopClassNotSupported = 0x0122;

    /// <summary>A700H Refused: out of resources (PS3.4 B.2.3): the instance could not be stored (disk full, I/O error).</summary>
    public const ushort OutOfResources = 0xA700;

    /// <summary>A900H Error: data set does not match SOP class (PS3.4 B.2.3): its SOP Class UID differs from the command's.</summary>
    public const ushort DataSetDoesNotMatchSopClass = 0xA900;

    /// <summary>
    /// C000H Error: cannot understand (PS3.4 B.2.3): the data set cannot be parsed, lacks (0008,0018), or its SOP Instance
    /// UID differs from the command's Affected SOP Instance UID.
    /// </summary>
    public const ushort CannotUnderstand = 0xC000;

    /// <summary>True for the success and warning statuses (0000H, 0001H, Bxxx), after which the instance was stored.</summary>
    public static bool IsStored(ushort status) => status == Success || status == 0x0001 || (status & 0xF000) == 0xB000;
}

/// <summary>What a store handler answers: the status and, for failures, what to tell the peer.</summary>
/// <param name="Status">The DIMSE status, e.g. <see cref="DicomStatus.Success"/>.</param>
/// <param name="ErrorComment">(0000,0902) for the peer, at most 64 characters; no PII, no stack traces.</param>
/// <param name="OffendingElements">(0000,0901) the elements at fault, if any.</param>
public sealed record DicomStoreResult(ushort Status, string? ErrorComment = null, IReadOnlyList<DicomTag>? OffendingElements = null)
{
    /// <summary>Stored.</summary>
    public static DicomStoreResult Success { get; } = new(DicomStatus.Success);
}
