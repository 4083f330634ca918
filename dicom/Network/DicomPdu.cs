namespace OrleansImaging.Dicom.Network;

/// <summary>The PDU types of the DICOM upper layer protocol (PS3.8 9.3.1).</summary>
public enum DicomPduType : byte
{
    /// <summary>A-ASSOCIATE-RQ (01H).</summary>
    AssociateRequest = 0x01,

    /// <summary>A-ASSOCIATE-AC (02H).</summary>
    AssociateAccept = 0x02,

    /// <summary>A-ASSOCIATE-RJ (03H).</summary>
    AssociateReject = 0x03,

    /// <summary>P-DATA-TF (04H).</summary>
    DataTransfer = 0x04,

    /// <summary>A-RELEASE-RQ (05H).</summary>
    ReleaseRequest = 0x05,

    /// <summary>A-RELEASE-RP (06H).</summary>
    ReleaseResponse = 0x06,

    /// <summary>A-ABORT (07H).</summary>
    Abort = 0x07,
}

/// <summary>One upper layer protocol data unit. Encode with <see cref="DicomPduWriter"/>, decode with <see cref="DicomPduReader"/>.</summary>
public abstract record DicomPdu
{
    /// <summary>The PDU type byte.</summary>
    public abstract DicomPduType Type { get; }
}

/// <summary>A presentation context proposed in an A-ASSOCIATE-RQ (item 20H).</summary>
/// <param name="Id">The presentation context ID: odd, 1 to 255.</param>
/// <param name="AbstractSyntax">The abstract syntax UID (sub-item 30H).</param>
/// <param name="TransferSyntaxes">The transfer syntax UIDs offered (sub-items 40H).</param>
public sealed record DicomPresentationContextRequest(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

/// <summary>The result of a presentation context in an A-ASSOCIATE-AC (PS3.8 table 9-18).</summary>
public enum DicomPresentationContextResult : byte
{
    /// <summary>Acceptance.</summary>
    Acceptance = 0,

    /// <summary>User rejection.</summary>
    UserRejection = 1,

    /// <summary>No reason (provider rejection).</summary>
    NoReason = 2,

    /// <summary>Abstract syntax not supported (provider rejection).</summary>
    AbstractSyntaxNotSupported = 3,

    /// <summary>Transfer syntaxes not supported (provider rejection).</summary>
    TransferSyntaxesNotSupported = 4,
}

/// <summary>A presentation context answered in an A-ASSOCIATE-AC (item 21H).</summary>
/// <param name="Id">The presentation context ID of the proposal answered: odd, 1 to 255.</param>
/// <param name="Result">Accepted or why not.</param>
/// <param name="TransferSyntax">The transfer syntax chosen (sub-item 40H); not significant when rejected.</param>
public sealed record DicomPresentationContextAccept(byte Id, DicomPresentationContextResult Result, string TransferSyntax);

/// <summary>A user information sub-item this library does not interpret, kept as its raw value.</summary>
/// <param name="Type">The sub-item type byte (for example 53H asynchronous operations, 54H role selection).</param>
/// <param name="Value">The sub-item's value, without its 4-byte header.</param>
public sealed record DicomUserInformationSubItem(byte Type, ReadOnlyMemory<byte> Value);

/// <summary>The user information item (50H) of an A-ASSOCIATE-RQ or -AC.</summary>
/// <param name="MaximumLength">Maximum length sub-item (51H): the largest P-DATA-TF PDU length the sender accepts; 0 means no limit.</param>
/// <param name="ImplementationClassUid">Implementation class UID sub-item (52H).</param>
/// <param name="ImplementationVersionName">Implementation version name sub-item (55H), up to 16 characters.</param>
/// <param name="OtherSubItems">Every other sub-item, in the order received.</param>
public sealed record DicomUserInformation(
    uint? MaximumLength,
    string? ImplementationClassUid,
    string? ImplementationVersionName,
    IReadOnlyList<DicomUserInformationSubItem> OtherSubItems)
{
    /// <summary>User information with only the maximum length and implementation identification.</summary>
    public DicomUserInformation(uint? maximumLength, string? implementationClassUid, string? implementationVersionName = null)
        : this(maximumLength, implementationClassUid, implementationVersionName, [])
    {
    }
}

/// <summary>The A-ASSOCIATE-RQ and -AC layout: AE titles, application context and user information.</summary>
/// <param name="CalledAeTitle">The called AE title, up to 16 characters (an AC echoes the RQ's).</param>
/// <param name="CallingAeTitle">The calling AE title, up to 16 characters (an AC echoes the RQ's).</param>
/// <param name="ApplicationContext">The application context name UID (item 10H).</param>
/// <param name="UserInformation">The user information item (50H).</param>
public abstract record DicomAssociatePdu(string CalledAeTitle, string CallingAeTitle, string ApplicationContext, DicomUserInformation UserInformation)
    : DicomPdu
{
    /// <summary>The DICOM application context name, 1.2.840.10008.3.1.1.1.</summary>
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    /// <summary>The protocol version bit field; 1 (version 1) is the only one defined.</summary>
    public ushort ProtocolVersion { get; init; } = 1;
}

/// <summary>An A-ASSOCIATE-RQ PDU (PS3.8 9.3.2).</summary>
/// <param name="CalledAeTitle">The called AE title, up to 16 characters.</param>
/// <param name="CallingAeTitle">The calling AE title, up to 16 characters.</param>
/// <param name="ApplicationContext">The application context name UID.</param>
/// <param name="PresentationContexts">The presentation contexts proposed.</param>
/// <param name="UserInformation">The user information item.</param>
public sealed record DicomAssociateRequest(
    string CalledAeTitle,
    string CallingAeTitle,
    string ApplicationContext,
    IReadOnlyList<DicomPresentationContextRequest> PresentationContexts,
    DicomUserInformation UserInformation)
    : DicomAssociatePdu(CalledAeTitle, CallingAeTitle, ApplicationContext, UserInformation)
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.AssociateRequest;
}

/// <summary>An A-ASSOCIATE-AC PDU (PS3.8 9.3.3).</summary>
/// <param name="CalledAeTitle">The called AE title of the request.</param>
/// <param name="CallingAeTitle">The calling AE title of the request.</param>
/// <param name="ApplicationContext">The application context name UID.</param>
/// <param name="PresentationContexts">The answer to each presentation context proposed.</param>
/// <param name="UserInformation">The user information item.</param>
public sealed record DicomAssociateAccept(
    string CalledAeTitle,
    string CallingAeTitle,
    string ApplicationContext,
    IReadOnlyList<DicomPresentationContextAccept> PresentationContexts,
    DicomUserInformation UserInformation)
    : DicomAssociatePdu(CalledAeTitle, CallingAeTitle, ApplicationContext, UserInformation)
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.AssociateAccept;
}

/// <summary>An A-ASSOCIATE-RJ PDU (PS3.8 9.3.4).</summary>
/// <param name="Result">1 rejected-permanent, 2 rejected-transient.</param>
/// <param name="Source">1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation).</param>
/// <param name="Reason">The reason/diagnostic, whose meaning depends on <paramref name="Source"/>.</param>
public sealed record DicomAssociateReject(byte Result, byte Source, byte Reason) : DicomPdu
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.AssociateReject;
}

/// <summary>One presentation data value item of a P-DATA-TF PDU (PS3.8 9.3.5.1, annex E).</summary>
/// <param name="PresentationContextId">The presentation context ID: odd, 1 to 255.</param>
/// <param name="IsCommand">Message control header bit 0: a command fragment (else a data set fragment).</param>
/// <param name="IsLast">Message control header bit 1: the last fragment of the command or data set.</param>
/// <param name="Data">The fragment.</param>
public sealed record DicomPresentationDataValue(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data);

/// <summary>A P-DATA-TF PDU (PS3.8 9.3.5).</summary>
/// <param name="Values">The presentation data values, in order.</param>
public sealed record DicomDataTransfer(IReadOnlyList<DicomPresentationDataValue> Values) : DicomPdu
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.DataTransfer;
}

/// <summary>An A-RELEASE-RQ PDU (PS3.8 9.3.6).</summary>
public sealed record DicomReleaseRequest : DicomPdu
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.ReleaseRequest;
}

/// <summary>An A-RELEASE-RP PDU (PS3.8 9.3.7).</summary>
public sealed record DicomReleaseResponse : DicomPdu
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.ReleaseResponse;
}

/// <summary>An A-ABORT PDU (PS3.8 9.3.8).</summary>
/// <param name="Source">0 service-user, 2 service-provider.</param>
/// <param name="Reason">The reason/diagnostic when the source is the provider (0 to 6), else 0.</param>
public sealed record DicomAbort(byte Source, byte Reason) : DicomPdu
{
    /// <inheritdoc />
    public override DicomPduType Type => DicomPduType.Abort;
}
