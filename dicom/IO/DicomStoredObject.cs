using System.Buffers.Binary;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// A stored DICOM object read only far enough to know where its values are, so a server can answer bulk data and
/// frame requests with range reads of the object instead of loading it: values of <see cref="HeldBelow"/> bytes or
/// more stay in the object as offsets (<see cref="DicomValueSegment.InObject"/>), and reading stops after the
/// top-level attribute asked for. Frames of pixel data are worked out once, as ranges: native frames as slices of
/// Pixel Data, encapsulated frames as their fragments (<see cref="DicomFragmentSequence.SplitIntoFrames"/>).
/// </summary>
public sealed class DicomStoredObject
{
    /// <summary>Values shorter than this are held in memory; longer ones are located by offset.</summary>
    public const long HeldBelow = 256;

    private static readonly DicomTag[] PixelDataTags = [DicomTag.PixelData, DicomTag.FloatPixelData, DicomTag.DoubleFloatPixelData];

    private readonly IReadOnlyList<DicomValueLocation>? _frames;
    private readonly string? _framesProblem;

    private DicomStoredObject(DicomFile file, IReadOnlyList<DicomValueLocation>? frames, string? framesProblem)
    {
        File = file;
        _frames = frames;
        _framesProblem = framesProblem;
    }

    /// <summary>The object as read: File Meta Information and the data set up to and including the attribute asked for.</summary>
    public DicomFile File { get; }

    /// <summary>True when the object has pixel data (native, float, or encapsulated) within what was read.</summary>
    public bool HasPixelData => PixelData is not null;

    /// <summary>The pixel data attribute, when read.</summary>
    public DicomAttribute? PixelData => PixelDataTags.Select(t => File.Dataset.TryGetAttribute(t, out var a) ? a : null).FirstOrDefault(a => a is not null);

    /// <summary>True when the pixel data is encapsulated (compressed): frames are then fragments as stored.</summary>
    public bool IsEncapsulated => PixelData is DicomFragmentSequence;

    /// <summary>
    /// Reads <paramref name="stream"/> (positioned at the object's first byte; seekable, so large values are skipped,
    /// not read) up to and including the top-level attribute <paramref name="through"/>.
    /// </summary>
    /// <exception cref="DicomException">The object is malformed, or pixel data of a deflated object is asked for
    /// (its offsets are in the inflated data, so only decoding the whole object would reach them).</exception>
    public static async Task<DicomStoredObject> ReadAsync(Stream stream, DicomTag through, CancellationToken cancellationToken = default)
    {
        var stop = through.Value == uint.MaxValue ? (DicomTag?)null : new DicomTag(through.Value + 1);
        if (through.Group >= 0x7FE0 && stream.CanSeek)
        {
            // A deflated object would inflate into memory up to the pixel data; find out before reading it.
            var origin = stream.Position;
            var meta = await DicomFileReader.ReadAsync(stream, new DicomReadOptions { StopBeforeTag = new DicomTag(0x0003, 0x0000) }, null, cancellationToken).ConfigureAwait(false);
            if (meta.TransferSyntax.IsDeflated)
                throw new DicomException($"The object is stored {meta.TransferSyntax.Name}; its pixel data cannot be located without inflating the whole object.");
            stream.Position = origin;
        }
        var options = new DicomReadOptions { StopBeforeTag = stop, BulkDataThreshold = HeldBelow };
        var file = await DicomFileReader.ReadAsync(stream, options, DicomOffsetsOnlySource.Instance, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DicomValueLocation>? frames = null;
        string? problem = null;
        var pixelData = PixelDataTags.Select(t => file.Dataset.TryGetAttribute(t, out var a) ? a : null).FirstOrDefault(a => a is not null);
        if (pixelData is not null)
        {
            try
            {
                frames = await FramesAsync(file.Dataset, pixelData, stream, cancellationToken).ConfigureAwait(false);
            }
            catch (DicomException ex)
            {
                problem = ex.Message;
            }
        }
        return new DicomStoredObject(file, frames, problem);
    }

    /// <summary>The attribute at <paramref name="path"/>, or null when the object has none there.</summary>
    public DicomAttribute? Find(DicomBulkDataPath path) => path.Find(File.Dataset);

    /// <summary>Where an element's value is: one range of the object, or the bytes held.</summary>
    public static DicomValueLocation Locate(DicomElement element) =>
        new([element.BulkData is { } reference ? DicomValueSegment.InObject(reference.Offset, reference.Length) : DicomValueSegment.Held(element.RawValue)]);

    /// <summary>
    /// Every frame of the pixel data, in order, as stored: native frame n is the n-th Rows × Columns × Samples per
    /// Pixel × Bits Allocated / 8 bytes of Pixel Data; an encapsulated frame is its fragments' bytes, concatenated.
    /// </summary>
    /// <exception cref="DicomException">The object has no pixel data, or its frames cannot be told apart (the
    /// message says why: bit-packed frames that do not start on a byte, too few bytes, inconsistent offset tables).</exception>
    public IReadOnlyList<DicomValueLocation> GetFrames()
    {
        if (_frames is not null)
            return _frames;
        throw new DicomException(_framesProblem ?? "The object has no pixel data.");
    }

    /// <summary>
    /// For a data set whose header was read up to <see cref="DicomReadOptions.StopBeforeTag"/>: the pixel data
    /// attribute whose element header starts <paramref name="elementHeader"/> (at least 12 bytes from
    /// <see cref="DicomFile.StoppedAtOffset"/>, fewer at the end of the object), as a value left in the object
    /// (native) or an empty fragment sequence (encapsulated), so DICOM JSON can give it a BulkDataURI; null when
    /// the element there is not pixel data.
    /// </summary>
    public static DicomAttribute? DescribeStoppedPixelData(ReadOnlySpan<byte> elementHeader, long offset, DicomTransferSyntax syntax)
    {
        if (elementHeader.Length < 8 || syntax.IsDeflated)
            return null;
        var big = syntax.IsBigEndian;
        var tag = big
            ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(elementHeader), BinaryPrimitives.ReadUInt16BigEndian(elementHeader[2..]))
            : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(elementHeader), BinaryPrimitives.ReadUInt16LittleEndian(elementHeader[2..]));
        if (Array.IndexOf(PixelDataTags, tag) < 0)
            return null;
        // The bytes decide explicit or implicit VR, as the reader lets them when a writer declared the wrong syntax.
        var vr = DicomVRExtensions.FromBytes(elementHeader[4], elementHeader[5]);
        // An implicit VR length cannot pass for these: their first byte ('O', 'U') would make the length odd.
        var isExplicit = vr is DicomVR.OB or DicomVR.OW or DicomVR.OF or DicomVR.OD or DicomVR.UN && elementHeader[6] == 0 && elementHeader[7] == 0;
        long length;
        int headerLength;
        if (isExplicit)
        {
            if (elementHeader.Length < 12)
                return null;
            headerLength = 12;
            length = big ? BinaryPrimitives.ReadUInt32BigEndian(elementHeader[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(elementHeader[8..]);
        }
        else
        {
            headerLength = 8;
            length = big ? BinaryPrimitives.ReadUInt32BigEndian(elementHeader[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(elementHeader[4..]);
            vr = tag == DicomTag.FloatPixelData ? DicomVR.OF : tag == DicomTag.DoubleFloatPixelData ? DicomVR.OD : DicomVR.OW;
        }
        if (length == uint.MaxValue)
            return tag == DicomTag.PixelData ? new DicomFragmentSequence(tag, DicomVR.OB) : null;
        if (length == 0)
            return null;
        return new DicomElement(tag, vr == DicomVR.UN ? DicomVR.OW : vr, new DicomBulkDataReference(DicomOffsetsOnlySource.Instance, offset + headerLength, length));
    }

    private static async Task<IReadOnlyList<DicomValueLocation>> FramesAsync(DicomDataset dataset, DicomAttribute pixelData, Stream stream, CancellationToken cancellationToken)
    {
        var frames = 1;
        if (dataset.TryGetAttribute(DicomTag.NumberOfFrames, out var numberOfFrames) && numberOfFrames is DicomElement { Length: > 0 })
        {
            if (!dataset.TryGet<int>(DicomTag.NumberOfFrames, out frames) || frames < 1)
                throw new DicomException($"Number of Frames is '{dataset.GetStringOrNull(DicomTag.NumberOfFrames)}', not a positive number.");
        }
        return pixelData switch
        {
            DicomFragmentSequence fragments => await EncapsulatedFramesAsync(dataset, fragments, frames, stream, cancellationToken).ConfigureAwait(false),
            DicomElement element => NativeFrames(dataset, element, frames),
            _ => throw new DicomException($"{pixelData.Tag} is a sequence, not pixel data."),
        };
    }

    private static List<DicomValueLocation> NativeFrames(DicomDataset dataset, DicomElement pixelData, int frames)
    {
        long rows = dataset.GetOrDefault<ushort>(DicomTag.Rows, 0);
        long columns = dataset.GetOrDefault<ushort>(DicomTag.Columns, 0);
        long samples = dataset.GetOrDefault<ushort>(DicomTag.SamplesPerPixel, 1);
        long bitsAllocated = dataset.GetOrDefault<ushort>(DicomTag.BitsAllocated, 0);
        var bitsPerFrame = rows * columns * samples * bitsAllocated;
        if (bitsPerFrame == 0)
            throw new DicomException($"The frame size is unknown: Rows {rows}, Columns {columns}, Samples per Pixel {samples}, Bits Allocated {bitsAllocated}.");
        if (bitsPerFrame % 8 != 0 && frames > 1)
        {
            // Bits Allocated 1 packs frames back to back: frame 2 would start inside a byte, which no byte range can serve.
            throw new DicomException($"Frames of {bitsPerFrame} bits (Bits Allocated {bitsAllocated}) do not start on byte boundaries; only whole-object or whole-value retrieval can serve them.");
        }
        var frameLength = (bitsPerFrame + 7) / 8;
        if (frameLength * frames > pixelData.Length)
            throw new DicomException($"{pixelData.Tag} has {pixelData.Length} bytes, fewer than {frames} frames of {frameLength}.");
        var result = new List<DicomValueLocation>(frames);
        for (var i = 0; i < frames; i++)
        {
            var start = i * frameLength;
            result.Add(new DicomValueLocation([pixelData.BulkData is { } reference
                ? DicomValueSegment.InObject(reference.Offset + start, frameLength)
                : DicomValueSegment.Held(pixelData.RawValue.Slice((int)start, (int)frameLength))]));
        }
        return result;
    }

    private static async Task<List<DicomValueLocation>> EncapsulatedFramesAsync(DicomDataset dataset, DicomFragmentSequence pixelData, int frames, Stream stream, CancellationToken cancellationToken)
    {
        IReadOnlyList<ulong>? extended = null;
        if (dataset.TryGetAttribute(DicomTag.ExtendedOffsetTable, out var table) && table is DicomElement { Length: > 0 } tableElement)
        {
            var bytes = tableElement.IsLoaded ? tableElement.RawValue : await ReadAsync(stream, tableElement.BulkData!.Offset, (int)Math.Min(tableElement.Length, int.MaxValue), cancellationToken).ConfigureAwait(false);
            var offsets = new ulong[bytes.Length / 8];
            for (var i = 0; i < offsets.Length; i++)
                offsets[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Span.Slice(i * 8, 8));
            extended = offsets;
        }
        var source = pixelData;
        var needsMarkers = extended is null && pixelData.BasicOffsetTable.Length < 4 && frames > 1 && pixelData.Fragments.Count != frames;
        if (needsMarkers)
        {
            // Without offset tables frames start where a JPEG or JPEG 2000 codestream starts; the splitter looks at
            // the first two bytes of each fragment, so give it those (read from the object for located fragments).
            source = new DicomFragmentSequence(pixelData.Tag, pixelData.VR);
            foreach (var fragment in pixelData.Fragments)
            {
                var head = fragment.BulkData is { } reference
                    ? await ReadAsync(stream, reference.Offset, (int)Math.Min(2, reference.Length), cancellationToken).ConfigureAwait(false)
                    : fragment.Data[..Math.Min(2, fragment.Data.Length)];
                source.Add(new DicomFragment(head));
            }
        }
        var index = new Dictionary<DicomFragment, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < source.Fragments.Count; i++)
            index[source.Fragments[i]] = i;
        var result = new List<DicomValueLocation>(frames);
        foreach (var group in source.SplitIntoFrames(frames, extended))
        {
            result.Add(new DicomValueLocation([.. group.Select(f => pixelData.Fragments[index[f]]).Select(f => f.BulkData is { } reference
                ? DicomValueSegment.InObject(reference.Offset, reference.Length)
                : DicomValueSegment.Held(f.Data))]));
        }
        return result;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(Stream stream, long offset, int length, CancellationToken cancellationToken)
    {
        if (!stream.CanSeek)
            throw new DicomException("Locating frames without offset tables needs a seekable object.");
        var buffer = new byte[length];
        stream.Position = offset;
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }
}
