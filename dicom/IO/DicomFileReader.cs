using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Reads Part 10 files and bare data sets: finds the preamble and File Meta Information (or
/// notices their absence), picks the transfer syntax, and drives <see cref="DicomParser"/> over a
/// buffer or a stream. Recoveries are recorded as warnings on the resulting <see cref="DicomFile"/>.
/// </summary>
internal static class DicomFileReader
{
    private static readonly DicomTag TransferSyntaxUidTag = new(0x0002, 0x0010);
    private const int PrefixLength = 132;

    public static DicomFile Parse(ReadOnlyMemory<byte> data, DicomReadOptions options)
    {
        var warnings = new List<string>();
        var layout = FindLayout(data.Span, warnings);
        var meta = new DicomDataset();
        var datasetStart = (long)layout.MetaStart;
        if (layout.HasMeta)
        {
            var metaParser = CreateMetaParser(meta, data.Span[layout.MetaStart..]);
            metaParser.InputEnd = data.Length;
            metaParser.Parse(data[layout.MetaStart..], layout.MetaStart, isFinal: true, out var consumed, out _);
            datasetStart = layout.MetaStart + consumed;
        }
        var syntax = ChooseSyntax(meta, data.Span[(int)datasetStart..], warnings);
        var dataset = new DicomDataset(64) { FallbackCharacterSet = options.FallbackCharacterSet };
        if (syntax.TransferSyntax.IsDeflated)
        {
            using var inflated = Inflate(new MemoryStream(data[(int)datasetStart..].ToArray(), writable: false), options);
            var feeder = new ByteFeeder(inflated, 0);
            try
            {
                var stopped = RunStreamAsync(NewDatasetParser(dataset, syntax, options, null, null), feeder, CancellationToken.None)
                    .AsTask().GetAwaiter().GetResult();
                return Build(meta, dataset, syntax.TransferSyntax, layout, warnings, stopped);
            }
            catch (InvalidDataException ex)
            {
                throw new DicomException($"The deflated data set cannot be inflated: {ex.Message}", feeder.Offset, null, ex);
            }
        }
        var parser = NewDatasetParser(dataset, syntax, options, null, data.Length);
        parser.Parse(data[(int)datasetStart..], datasetStart, isFinal: true, out _, out _);
        warnings.AddRange(parser.Warnings);
        return Build(meta, dataset, syntax.TransferSyntax, layout, warnings, parser.StoppedAt);
    }

    public static async Task<DicomFile> ReadAsync(Stream stream, DicomReadOptions options, IDicomByteSource? bulkSource, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        long? length = null;
        long origin = 0;
        if (stream.CanSeek)
        {
            origin = stream.Position;
            length = stream.Length - origin;
        }
        // A small file needs a buffer its size (one byte more, to see the end), not a whole chunk.
        var feeder = length is { } known && known < ByteFeeder.ChunkSize ? new ByteFeeder(stream, 0, (int)Math.Max(known + 1, PrefixLength)) : new ByteFeeder(stream, 0);
        try
        {
            await feeder.EnsureAsync(PrefixLength, cancellationToken).ConfigureAwait(false);
            var layout = FindLayout(feeder.Available.Span, warnings);
            feeder.Consume(layout.MetaStart);
            var meta = new DicomDataset();
            if (layout.HasMeta)
            {
                var metaParser = CreateMetaParser(meta, feeder.Available.Span);
                metaParser.InputEnd = length;
                await RunStreamAsync(metaParser, feeder, cancellationToken).ConfigureAwait(false);
            }
            await feeder.EnsureAsync(16, cancellationToken).ConfigureAwait(false);
            var syntax = ChooseSyntax(meta, feeder.Available.Span, warnings);
            var dataset = new DicomDataset(64) { FallbackCharacterSet = options.FallbackCharacterSet };
            long? stopped;
            if (syntax.TransferSyntax.IsDeflated)
            {
                var rest = new PrefixedStream(feeder.Available, stream); // the feeder is done with its buffer
                await using var inflated = Inflate(rest, options);
                stopped = await RunStreamAsync(NewDatasetParser(dataset, syntax, options, null, null), new ByteFeeder(inflated, 0), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var source = stream.CanSeek && options.BulkDataThreshold is not null ? bulkSource : null;
                var parser = NewDatasetParser(dataset, syntax, options, source, length);
                stopped = await RunStreamAsync(parser, feeder, cancellationToken).ConfigureAwait(false);
                warnings.AddRange(parser.Warnings);
            }
            return Build(meta, dataset, syntax.TransferSyntax, layout, warnings, stopped);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw new DicomException($"Reading failed: {ex.Message}", feeder.Offset, null, ex);
        }
    }

    private static async ValueTask<long?> RunStreamAsync(DicomParser parser, ByteFeeder feeder, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var status = parser.Parse(feeder.Available, feeder.Offset, feeder.AtEnd, out var consumed, out var request);
            feeder.Consume(consumed);
            switch (status)
            {
                case ParseStatus.Done:
                    return parser.StoppedAt;
                case ParseStatus.NeedMore:
                    await feeder.EnsureAsync(request, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await feeder.SkipAsync(request, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static DicomFile Build(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax, Layout layout, List<string> warnings, long? stopped)
    {
        foreach (var note in CharacterSetNotes(dataset))
            warnings.Add(note);
        return new DicomFile(meta, dataset, syntax) { Warnings = warnings, HadPreamble = layout.HadPreamble, StoppedAtOffset = stopped };
    }

    private static IEnumerable<string> CharacterSetNotes(DicomDataset dataset)
    {
        var set = dataset.CharacterSet;
        if (!set.IsKnown)
            yield return $"Specific Character Set '{string.Join('\\', set.Terms)}' is not one this library knows; text bytes are kept as read and non-ASCII bytes decode as U+FFFD.";
    }

    private static DicomParser CreateMetaParser(DicomDataset meta, ReadOnlySpan<byte> metaBytes)
    {
        // Group 0002 is explicit VR little endian by definition; some writers got that wrong, and
        // an implicit VR meta group is read as such rather than refused.
        var explicitVR = metaBytes.Length < 6 || DicomVRExtensions.FromBytes(metaBytes[4], metaBytes[5]) != DicomVR.None;
        return new DicomParser(meta, explicitVR, bigEndian: false, DicomReadOptions.Default, DefaultVR) { StopOutsideGroup = 0x0002 };
    }

    private static DicomParser NewDatasetParser(DicomDataset dataset, Syntax syntax, DicomReadOptions options, IDicomByteSource? source, long? inputEnd) =>
        new(dataset, syntax.ExplicitVR, syntax.BigEndian, options, DefaultVR) { BulkSource = source, InputEnd = inputEnd };

    /// <summary>The VR an implicit VR element has, from the data dictionary.</summary>
    internal static DicomVR DefaultVR(DicomTag tag, DicomDataset dataset) => DicomImplicitVR.Lookup(tag, dataset);

    private static Layout FindLayout(ReadOnlySpan<byte> head, List<string> warnings)
    {
        if (head.Length >= PrefixLength && head.Slice(128, 4).SequenceEqual("DICM"u8))
            return new Layout(PrefixLength, HasMeta: true, HadPreamble: true);
        if (head.Length >= 4 && head[..4].SequenceEqual("DICM"u8))
        {
            warnings.Add("The file has \"DICM\" but no 128-byte preamble; read from offset 4.");
            return new Layout(4, HasMeta: true, HadPreamble: false);
        }
        if (head.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(head) == 0x0002)
        {
            warnings.Add("The file has no preamble; the File Meta Information starts at offset 0.");
            return new Layout(0, HasMeta: true, HadPreamble: false);
        }
        if (DetectSyntax(head) is null)
        {
            throw new DicomException(head.Length < 8
                ? $"Not DICOM: {head.Length} bytes are too few for a data set"
                : "Not DICOM: no \"DICM\" prefix at offset 128 and the data does not begin with a plausible data element", 0, null);
        }
        warnings.Add("The file has no preamble and no File Meta Information; read as a bare data set.");
        return new Layout(0, HasMeta: false, HadPreamble: false);
    }

    private static Syntax ChooseSyntax(DicomDataset meta, ReadOnlySpan<byte> head, List<string> warnings)
    {
        var detected = DetectSyntax(head);
        var uid = meta.GetStringOrNull(TransferSyntaxUidTag);
        if (string.IsNullOrEmpty(uid))
        {
            if (head.Length == 0)
                return new Syntax(DicomTransferSyntax.ExplicitVRLittleEndian, true, false);
            var guess = detected ?? throw new DicomException("The data set after the File Meta Information does not begin with a plausible data element", 0, null);
            var ts = guess.BigEndian ? DicomTransferSyntax.ExplicitVRBigEndian : guess.ExplicitVR ? DicomTransferSyntax.ExplicitVRLittleEndian : DicomTransferSyntax.ImplicitVRLittleEndian;
            if (meta.Count > 0)
                warnings.Add($"The File Meta Information has no Transfer Syntax UID; the data set looks like {ts.Name}.");
            return new Syntax(ts, guess.ExplicitVR, guess.BigEndian);
        }
        var syntax = DicomTransferSyntax.Lookup(uid);
        if (!syntax.IsKnown)
            warnings.Add($"Transfer syntax {syntax.Uid} is not known; read as explicit VR little endian with encapsulated pixel data.");
        if (syntax.IsDeflated)
            return new Syntax(syntax, true, false);
        if (detected is { } d && head.Length >= 8 && (d.ExplicitVR != syntax.IsExplicitVR || d.BigEndian != syntax.IsBigEndian))
        {
            // A mismatch between the declared syntax and the bytes is a known writer bug; the bytes win.
            warnings.Add($"The data set is declared {syntax.Name} but is encoded {(d.BigEndian ? "big endian " : "")}{(d.ExplicitVR ? "explicit" : "implicit")} VR; read as encoded.");
            return new Syntax(syntax, d.ExplicitVR, d.BigEndian);
        }
        return new Syntax(syntax, syntax.IsExplicitVR, syntax.IsBigEndian);
    }

    /// <summary>
    /// Guesses the encoding of a data set from its first element: explicit when bytes 4–5 are a VR,
    /// big endian when the group number only makes sense read that way. Null when the first element
    /// is not plausible at all (zeros, a JPEG, text).
    /// </summary>
    internal static (bool ExplicitVR, bool BigEndian)? DetectSyntax(ReadOnlySpan<byte> head)
    {
        if (head.Length < 8)
            return null;
        var little = BinaryPrimitives.ReadUInt16LittleEndian(head);
        var big = BinaryPrimitives.ReadUInt16BigEndian(head);
        var explicitVR = DicomVRExtensions.FromBytes(head[4], head[5]) != DicomVR.None;
        // Groups are small numbers; read the wrong way round they are large (0x0008 vs 0x0800).
        if (explicitVR && big < little && Plausible(big))
            return (true, true);
        if (!Plausible(little))
            return null;
        if (!explicitVR && BinaryPrimitives.ReadUInt32LittleEndian(head[4..]) is var length && length != uint.MaxValue && length > 0x10000 && little > 0x0002)
            return null; // implicit VR with an implausible first length: text or some other format
        return (explicitVR, false);
    }

    private static bool Plausible(ushort group) => group is >= 0x0001 and <= 0x7FE0;

    private static Stream Inflate(Stream deflated, DicomReadOptions options) =>
        new LengthLimitedStream(new DeflateStream(deflated, CompressionMode.Decompress), options.MaxInflatedLength);

    private readonly record struct Layout(int MetaStart, bool HasMeta, bool HadPreamble);

    private readonly record struct Syntax(DicomTransferSyntax TransferSyntax, bool ExplicitVR, bool BigEndian);
}
