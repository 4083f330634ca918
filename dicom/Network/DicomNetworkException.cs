namespace OrleansImaging.Dicom.Network;

/// <summary>
/// An association failed: rejected, aborted by either side, timed out, or the peer broke the protocol or the
/// connection. <see cref="Reject"/> or <see cref="Abort"/> carries the peer's PDU when it sent one.
/// </summary>
public sealed class DicomNetworkException : DicomException
{
    /// <summary>Creates an exception with a message.</summary>
    public DicomNetworkException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception wrapping the transport's failure.</summary>
    public DicomNetworkException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The A-ASSOCIATE-RJ received, when the association was rejected.</summary>
    public DicomAssociateReject? Reject { get; init; }

    /// <summary>The A-ABORT received, when the peer aborted.</summary>
    public DicomAbort? Abort { get; init; }
}
