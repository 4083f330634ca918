using System.Net;

namespace OrleansImaging.Dicom.Network;

/// <summary>One incoming C-STORE: what the command and the association say about the data set.</summary>
/// <param name="SopClassUid">(0000,0002) Affected SOP Class UID.</param>
/// <param name="SopInstanceUid">(0000,1000) Affected SOP Instance UID; the acceptor has checked that the data set's (0008,0018) equals it.</param>
/// <param name="TransferSyntax">The transfer syntax of the presentation context: how the data set is encoded.</param>
/// <param name="Peer">The calling and called AE titles and the peer's address.</param>
/// <param name="MessageId">(0000,0110) Message ID.</param>
/// <param name="MoveOriginatorAeTitle">(0000,1030), when a C-MOVE caused the store.</param>
/// <param name="MoveOriginatorMessageId">(0000,1031), when a C-MOVE caused the store.</param>
public sealed record DicomStoreRequest(
    string SopClassUid,
    string SopInstanceUid,
    DicomTransferSyntax TransferSyntax,
    DicomAssociationPeer Peer,
    ushort MessageId,
    string? MoveOriginatorAeTitle = null,
    ushort? MoveOriginatorMessageId = null);

/// <summary>
/// Decides what happens to a received instance. One handler serves every association of a server, concurrently.
/// The data set arrives as a stream fed by the P-DATA-TF PDUs as they come in, so a handler that copies it to disk
/// never holds the whole instance; the C-STORE-RSP is sent with the returned status only after the handler returns
/// (so a handler that fsyncs first makes "success" mean "durable").
/// </summary>
public interface IDicomStoreHandler
{
    /// <summary>
    /// Stores one instance. <paramref name="dataset"/> yields the data set (no File Meta Information) encoded in
    /// <see cref="DicomStoreRequest.TransferSyntax"/>; what the handler does not read is discarded. When the
    /// association fails mid-transfer, reading throws <see cref="DicomNetworkException"/>: the handler must remove
    /// what it wrote and let the exception go. Any other exception answers <see cref="DicomStatus.OutOfResources"/>
    /// (an <see cref="IOException"/>) or <see cref="DicomStatus.ProcessingFailure"/>.
    /// </summary>
    Task<DicomStoreResult> StoreAsync(DicomStoreRequest request, Stream dataset, CancellationToken cancellationToken);
}
