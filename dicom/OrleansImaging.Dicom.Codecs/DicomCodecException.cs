namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// Pixel data could not be decoded, or was refused before decoding (a decode bomb, a non-image object).
/// The message names the file and the reason; <see cref="Exception.InnerException"/> holds GDCM's or
/// the reader's own exception when there was one.
/// </summary>
public sealed class DicomCodecException : DicomException
{
    /// <summary>Creates an exception with a message.</summary>
    public DicomCodecException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception wrapping a lower-level cause.</summary>
    public DicomCodecException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
