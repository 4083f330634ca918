namespace OrleansImaging.Dicom.IO;

/// <summary>
/// One piece of a located value: a byte range of the encoded object (<see cref="IsInObject"/>), or bytes the reader
/// held because they were short, or had to be swapped from big endian, or came from a stream it could not seek.
/// </summary>
/// <param name="Offset">The first byte in the encoded object; -1 when the bytes are in <paramref name="Bytes"/>.</param>
/// <param name="Length">The piece's length in bytes.</param>
/// <param name="Bytes">The bytes when held; empty otherwise.</param>
public readonly record struct DicomValueSegment(long Offset, long Length, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>True when the piece is to be read from the object at <see cref="Offset"/>.</summary>
    public bool IsInObject => Offset >= 0;

    /// <summary>A byte range of the encoded object.</summary>
    public static DicomValueSegment InObject(long offset, long length) => new(offset, length, default);

    /// <summary>Bytes held in memory.</summary>
    public static DicomValueSegment Held(ReadOnlyMemory<byte> bytes) => new(-1, bytes.Length, bytes);
}

/// <summary>A value (an element's, a frame's) as the pieces that make it up, in order.</summary>
/// <param name="Segments">The pieces; a frame of encapsulated pixel data has one per fragment.</param>
public sealed record DicomValueLocation(IReadOnlyList<DicomValueSegment> Segments)
{
    /// <summary>The value's length in bytes.</summary>
    public long Length => Segments.Sum(s => s.Length);
}

/// <summary>
/// The byte source of a data set read only to learn where its values are: the references carry offsets for the
/// caller's own storage (a blob store's range reads) and are never opened through the reader.
/// </summary>
internal sealed class DicomOffsetsOnlySource : IDicomByteSource
{
    public static DicomOffsetsOnlySource Instance { get; } = new();

    public string Description => "a located object";

    public Stream OpenRange(long offset, long length) =>
        throw new DicomException("This value was located, not loaded: read its bytes by offset from where the object is stored.");
}
