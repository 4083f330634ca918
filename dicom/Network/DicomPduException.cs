namespace OrleansImaging.Dicom.Network;

/// <summary>
/// An upper layer PDU that is malformed, too long, or cannot be encoded. <see cref="DicomException.Offset"/>
/// is the position in the PDU (from its type byte) where the problem was found, when decoding.
/// </summary>
public sealed class DicomPduException : DicomException
{
    /// <summary>Creates an exception for a PDU that cannot be encoded.</summary>
    public DicomPduException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception for a malformed PDU, at an offset from its first byte.</summary>
    public DicomPduException(string message, long offset) : base(message, offset, null)
    {
    }
}
