namespace OrleansImaging.Dicom;

/// <summary>
/// One attribute of a data set: a plain element with a value, a sequence of items, or
/// encapsulated pixel data. Attributes are immutable once built; data sets replace them.
/// </summary>
public abstract class DicomAttribute
{
    private protected DicomAttribute(DicomTag tag, DicomVR vr)
    {
        Tag = tag;
        VR = vr;
    }

    /// <summary>The attribute's tag.</summary>
    public DicomTag Tag { get; }

    /// <summary>The value representation as read or given; <see cref="DicomVR.UN"/> when not known.</summary>
    public DicomVR VR { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Tag} {VR.Code()}";
}

/// <summary>
/// Where a large value lives when the reader left it in the source instead of copying it:
/// a byte range of a file or seekable stream. Reading it opens the source again.
/// </summary>
/// <param name="Source">The source the value can be read from.</param>
/// <param name="Offset">The value's first byte in the source.</param>
/// <param name="Length">The value's length in bytes.</param>
public sealed record DicomBulkDataReference(IDicomByteSource Source, long Offset, long Length)
{
    /// <summary>Reads the whole value into a new array.</summary>
    /// <exception cref="DicomException">The source is shorter than the reference says.</exception>
    public async ValueTask<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        if (Length > Array.MaxLength)
            throw new DicomException($"A bulk data value of {Length} bytes is too large to load into memory; stream it instead.");
        var buffer = new byte[Length];
        await using var stream = Source.OpenRange(Offset, Length);
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }
}

/// <summary>A source that bulk data references point into: a file, or any re-openable byte range.</summary>
public interface IDicomByteSource
{
    /// <summary>A description for messages (e.g. the file name).</summary>
    string Description { get; }

    /// <summary>Opens a read-only stream over <paramref name="length"/> bytes starting at <paramref name="offset"/>.</summary>
    Stream OpenRange(long offset, long length);
}
