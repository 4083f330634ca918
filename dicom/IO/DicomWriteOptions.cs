using System.IO.Compression;

namespace OrleansImaging.Dicom.IO;

/// <summary>How sequences and items are delimited when written.</summary>
public enum DicomLengthEncoding
{
    /// <summary>
    /// Keep what was read: undefined length for sequences read with undefined length
    /// (<see cref="DicomSequence.WasUndefinedLength"/>), defined length for sequences read with a
    /// defined length and for sequences built in code. Items follow their sequence, because the
    /// data model does not record how each item was delimited.
    /// </summary>
    AsRead,

    /// <summary>Undefined length (0xFFFFFFFF) closed by a delimitation item; nothing needs computing first.</summary>
    Undefined,

    /// <summary>An exact byte count, computed before the value is written.</summary>
    Defined,
}

/// <summary>Choices a writer makes that the data set does not fix.</summary>
public sealed class DicomWriteOptions
{
    /// <summary>The defaults: delimiters as read, no group lengths outside group 0002.</summary>
    public static DicomWriteOptions Default { get; } = new();

    /// <summary>How sequences are delimited.</summary>
    /// <value><see cref="DicomLengthEncoding.AsRead"/>.</value>
    public DicomLengthEncoding SequenceLength { get; init; } = DicomLengthEncoding.AsRead;

    /// <summary>How the items of sequences are delimited.</summary>
    /// <value><see cref="DicomLengthEncoding.AsRead"/>: as the enclosing sequence was.</value>
    public DicomLengthEncoding ItemLength { get; init; } = DicomLengthEncoding.AsRead;

    /// <summary>
    /// When true, every group of every data set and item gets a (gggg,0000) group length with the
    /// exact length of what follows in that group. When false, group lengths other than (0002,0000)
    /// are left out, which PS3.5 7.2 permits: they are retired, optional, and stale as soon as
    /// anything in the group changes.
    /// </summary>
    /// <value>False.</value>
    public bool WriteGroupLengths { get; init; }

    /// <summary>How hard to compress the data set in the Deflated Explicit VR Little Endian transfer syntax.</summary>
    /// <value><see cref="CompressionLevel.Optimal"/>.</value>
    public CompressionLevel DeflateLevel { get; init; } = CompressionLevel.Optimal;
}
