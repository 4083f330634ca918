namespace OrleansImaging.Dicom.Network;

/// <summary>The DIMSE command field (0000,0100) values this library sends and understands (PS3.7 E.1).</summary>
public enum DimseCommandField : ushort
{
    /// <summary>C-STORE-RQ.</summary>
    CStoreRequest = 0x0001,

    /// <summary>C-STORE-RSP.</summary>
    CStoreResponse = 0x8001,

    /// <summary>C-ECHO-RQ.</summary>
    CEchoRequest = 0x0030,

    /// <summary>C-ECHO-RSP.</summary>
    CEchoResponse = 0x8030,
}

/// <summary>
/// A DIMSE command set (group 0000, PS3.7 E.1): the fields of C-ECHO and C-STORE requests and responses.
/// Encode and decode with <see cref="DimseCommandCodec"/>; absent optional fields are null.
/// </summary>
public sealed record DimseCommand
{
    /// <summary>(0000,0800) value meaning no data set follows the command (PS3.7 E.1).</summary>
    public const ushort NoDataSet = 0x0101;

    /// <summary>(0000,0800) value this library writes when a data set follows; any other value than 0x0101 means the same.</summary>
    public const ushort DataSetPresent = 0x0000;

    /// <summary>(0000,0100) Command Field.</summary>
    public required DimseCommandField CommandField { get; init; }

    /// <summary>(0000,0002) Affected SOP Class UID.</summary>
    public string? AffectedSopClassUid { get; init; }

    /// <summary>(0000,1000) Affected SOP Instance UID.</summary>
    public string? AffectedSopInstanceUid { get; init; }

    /// <summary>(0000,0110) Message ID, in requests.</summary>
    public ushort? MessageId { get; init; }

    /// <summary>(0000,0120) Message ID Being Responded To, in responses.</summary>
    public ushort? MessageIdBeingRespondedTo { get; init; }

    /// <summary>(0000,0700) Priority: 0 medium, 1 high, 2 low (C-STORE-RQ).</summary>
    public ushort? Priority { get; init; }

    /// <summary>(0000,0800) Command Data Set Type: <see cref="NoDataSet"/> or anything else when a data set follows.</summary>
    public ushort CommandDataSetType { get; init; } = NoDataSet;

    /// <summary>(0000,0900) Status, in responses.</summary>
    public ushort? Status { get; init; }

    /// <summary>(0000,0901) Offending Element, in error responses.</summary>
    public IReadOnlyList<DicomTag>? OffendingElements { get; init; }

    /// <summary>(0000,0902) Error Comment, in error responses (at most 64 characters).</summary>
    public string? ErrorComment { get; init; }

    /// <summary>(0000,1030) Move Originator Application Entity Title, in a C-STORE-RQ caused by a C-MOVE.</summary>
    public string? MoveOriginatorAeTitle { get; init; }

    /// <summary>(0000,1031) Move Originator Message ID, in a C-STORE-RQ caused by a C-MOVE.</summary>
    public ushort? MoveOriginatorMessageId { get; init; }

    /// <summary>True when a data set follows the command.</summary>
    public bool HasDataSet => CommandDataSetType != NoDataSet;

    /// <summary>A C-ECHO-RQ.</summary>
    public static DimseCommand EchoRequest(ushort messageId) => new()
    {
        CommandField = DimseCommandField.CEchoRequest,
        AffectedSopClassUid = DicomStorageSopClasses.Verification,
        MessageId = messageId,
    };

    /// <summary>The C-ECHO-RSP to <paramref name="request"/>.</summary>
    public static DimseCommand EchoResponse(DimseCommand request, ushort status) => new()
    {
        CommandField = DimseCommandField.CEchoResponse,
        AffectedSopClassUid = request.AffectedSopClassUid ?? DicomStorageSopClasses.Verification,
        MessageIdBeingRespondedTo = request.MessageId ?? 0,
        Status = status,
    };

    /// <summary>A C-STORE-RQ; a data set follows it.</summary>
    public static DimseCommand StoreRequest(ushort messageId, string sopClassUid, string sopInstanceUid, ushort priority = 0) => new()
    {
        CommandField = DimseCommandField.CStoreRequest,
        AffectedSopClassUid = sopClassUid,
        AffectedSopInstanceUid = sopInstanceUid,
        MessageId = messageId,
        Priority = priority,
        CommandDataSetType = DataSetPresent,
    };

    /// <summary>The C-STORE-RSP to <paramref name="request"/>.</summary>
    public static DimseCommand StoreResponse(DimseCommand request, DicomStoreResult result) => new()
    {
        CommandField = DimseCommandField.CStoreResponse,
        AffectedSopClassUid = request.AffectedSopClassUid,
        AffectedSopInstanceUid = request.AffectedSopInstanceUid,
        MessageIdBeingRespondedTo = request.MessageId ?? 0,
        Status = result.Status,
        OffendingElements = result.OffendingElements,
        ErrorComment = result.ErrorComment,
    };
}
