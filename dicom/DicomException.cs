namespace OrleansImaging.Dicom;

/// <summary>
/// The one exception type the DICOM library throws for bad input or misuse. When the problem
/// is in encoded data, <see cref="Offset"/> and <see cref="Tag"/> say where.
/// </summary>
public class DicomException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public DicomException(string message) : base(message)
    {
    }

    /// <summary>Creates an exception wrapping a lower-level cause.</summary>
    public DicomException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a problem at a position in encoded data.</summary>
    public DicomException(string message, long offset, DicomTag? tag, Exception? innerException = null)
        : base(Describe(message, offset, tag), innerException)
    {
        Offset = offset;
        Tag = tag;
    }

    /// <summary>The byte offset in the source where the problem was found, if it is about encoded data.</summary>
    public long? Offset { get; }

    /// <summary>The tag of the element being read when the problem was found, if known.</summary>
    public DicomTag? Tag { get; }

    private static string Describe(string message, long offset, DicomTag? tag) =>
        tag is { } t ? $"{message} (at offset {offset}, tag {t})" : $"{message} (at offset {offset})";
}
