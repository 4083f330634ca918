namespace OrleansImaging.Dicom.IO;

/// <summary>How much of a DICOM stream to read, and how to treat what is large or odd.</summary>
public sealed class DicomReadOptions
{
    /// <summary>Reads everything, loading every value.</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>Reads the header only: stops before (7FE0,0010) Pixel Data at the top level.</summary>
    public static DicomReadOptions HeaderOnly { get; } = new() { StopBeforeTag = new DicomTag(0x7FE0, 0x0010) };

    /// <summary>
    /// Stop reading at the first top-level element whose tag is at or after this one, leaving it
    /// and everything after it unread.
    /// </summary>
    /// <value>Null: read to the end.</value>
    public DicomTag? StopBeforeTag { get; init; }

    /// <summary>
    /// When reading a file or seekable stream, values at least this long (pixel data, other bulk
    /// data, fragments) are not loaded; the element holds a <see cref="DicomBulkDataReference"/>.
    /// Byte buffers are never copied, whatever this says.
    /// </summary>
    /// <value>Null: load every value.</value>
    public long? BulkDataThreshold { get; init; }

    /// <summary>
    /// The character set to assume when the data set declares none (see
    /// <see cref="DicomDataset.FallbackCharacterSet"/>); the bytes are kept as read either way.
    /// </summary>
    /// <value>Null: the default repertoire (ISO-IR 6), as PS3.5 says.</value>
    public Text.DicomCharacterSet? FallbackCharacterSet { get; init; }

    /// <summary>The deepest nesting of sequences accepted; deeper input is refused, not recursed into.</summary>
    /// <value>64.</value>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>The most bytes a deflated data set may inflate to, so a small file cannot exhaust memory.</summary>
    /// <value>2 GiB.</value>
    public long MaxInflatedLength { get; init; } = 2L * 1024 * 1024 * 1024;
}
