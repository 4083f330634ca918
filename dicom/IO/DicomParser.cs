using System.Buffers.Binary;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// The data set parser: a resumable state machine over byte buffers. It consumes whole elements
/// only (an element header and its value, or a sequence/item header), so a caller that runs out
/// of bytes can fetch more and call again with the unconsumed rest. Nesting lives on an explicit
/// stack, never on the call stack, so deep or hostile input cannot overflow it. Values are slices
/// of the buffers handed in: the caller must never overwrite bytes it has given.
/// </summary>
internal sealed class DicomParser
{
    private readonly DicomReadOptions _options;
    private readonly Func<DicomTag, DicomDataset, DicomVR> _implicitVR;
    private readonly List<Frame> _stack = [];

    // The defined-length sequence reaching furthest, while the input end is unknown (a stream that
    // cannot tell its length): CheckFits could not check it, so the end of input does.
    private (long End, long Position, DicomTag Tag, long Length) _longestSequence = (-1, 0, default, 0);

    public DicomParser(DicomDataset root, bool explicitVR, bool bigEndian, DicomReadOptions options, Func<DicomTag, DicomDataset, DicomVR> implicitVR)
    {
        _options = options;
        _implicitVR = implicitVR;
        _stack.Add(new Frame(FrameKind.Dataset, -1, !explicitVR, bigEndian, null) { Dataset = root });
    }

    /// <summary>The absolute end of the input when known (files, buffers, seekable streams).</summary>
    public long? InputEnd { get; set; }

    /// <summary>
    /// Where skipped large values live. When set, values of at least
    /// <see cref="DicomReadOptions.BulkDataThreshold"/> bytes become references and the caller skips them.
    /// </summary>
    public IDicomByteSource? BulkSource { get; set; }

    /// <summary>What the parser recovered from.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>When set, parsing stops at the first top-level element of another group (for group 0002).</summary>
    public ushort? StopOutsideGroup { get; init; }

    /// <summary>Set when parsing stopped at <see cref="DicomReadOptions.StopBeforeTag"/>: the offset of that element.</summary>
    public long? StoppedAt { get; private set; }

    /// <summary>
    /// Parses as many whole elements as <paramref name="buffer"/> holds. <paramref name="offset"/> is the
    /// absolute position of its first byte. Returns <see cref="ParseStatus.Done"/> at the end of the
    /// data set, or says how many bytes past <paramref name="consumed"/> it needs next
    /// (<see cref="ParseStatus.NeedMore"/>) or wants skipped (<see cref="ParseStatus.Skip"/>).
    /// </summary>
    public ParseStatus Parse(ReadOnlyMemory<byte> buffer, long offset, bool isFinal, out int consumed, out long request)
    {
        consumed = 0;
        request = 0;
        var span = buffer.Span;
        while (true)
        {
            var position = offset + consumed;
            var frame = _stack[^1];
            if (frame.End >= 0 && position >= frame.End)
            {
                if (position > frame.End)
                    throw new DicomException($"An element runs {position - frame.End} bytes past the end of its enclosing {frame.Describe()}", frame.End, frame.Owner);
                Pop();
                continue;
            }
            var available = span.Length - consumed;
            if (available < 8)
            {
                if (!isFinal)
                    return Need(8, out request);
                if (_stack.Count == 1 && available == 0)
                    return EndOfInput(position);
                if (_stack.Count == 1 && IsTrailingPadding(span[consumed..]))
                {
                    consumed = span.Length;
                    return EndOfInput(offset + consumed);
                }
                if (available == 0 && InputEnd is null && OnlyItemsRunPastEnd(position))
                {
                    CloseItemsAtEnd(position);
                    return EndOfInput(position);
                }
                throw new DicomException(_stack.Count == 1
                    ? $"The data ends with {available} stray bytes, too few for an element header"
                    : $"The data ends inside {frame.Describe()}", position, frame.Owner);
            }
            var header = span.Slice(consumed);
            var tag = ReadTag(header, frame.BigEndian);
            if (frame.Kind == FrameKind.Dataset && _stack.Count == 1
                && ((_options.StopBeforeTag is { } stop && tag >= stop) || (StopOutsideGroup is { } group && tag.Group != group)))
            {
                StoppedAt = position;
                return ParseStatus.Done;
            }
            int used;
            long skip;
            var status = frame.Kind switch
            {
                FrameKind.Sequence => StepSequence(frame, tag, header, position, out used, out skip),
                FrameKind.Fragments => StepFragments(frame, tag, buffer[consumed..], position, out used, out skip),
                _ => StepDataset(frame, tag, buffer[consumed..], position, out used, out skip),
            };
            if (status == ParseStatus.NeedMore)
            {
                if (isFinal)
                    throw new DicomException($"The data ends inside {tag} (it needs {used} bytes, {available} remain)", position, tag);
                request = used;
                return status;
            }
            consumed += used;
            if (status == ParseStatus.Skip)
            {
                request = skip;
                return status;
            }
        }
    }

    private static ParseStatus Need(long count, out long request)
    {
        request = count;
        return ParseStatus.NeedMore;
    }

    private ParseStatus StepDataset(Frame frame, DicomTag tag, ReadOnlyMemory<byte> input, long position, out int used, out long skip)
    {
        var header = input.Span;
        skip = 0;
        if (tag.Group == 0xFFFE)
        {
            used = 8;
            var length = ReadUInt32(header[4..], frame.BigEndian);
            if (tag == DicomTag.ItemDelimitationItem && frame.Owner is not null && frame.End < 0)
            {
                Pop();
                return ParseStatus.Done;
            }
            if (tag == DicomTag.ItemDelimitationItem && length == 0 && frame.Owner is null)
                return ParseStatus.Done; // a stray delimiter at the top level carries nothing; dcmtk skips it too
            throw new DicomException($"Unexpected {Describe(tag)} inside {frame.Describe()}", position, tag);
        }
        DicomVR vr;
        int headerLength;
        uint valueLength;
        if (frame.Implicit)
        {
            vr = DicomVR.None;
            headerLength = 8;
            valueLength = ReadUInt32(header[4..], frame.BigEndian);
        }
        else
        {
            vr = DicomVRExtensions.FromBytes(header[4], header[5]);
            var looksLikeVR = IsUpper(header[4]) && IsUpper(header[5]);
            if (vr.HasLongExplicitLength() || (vr == DicomVR.None && looksLikeVR))
            {
                // Unknown VRs take the 32-bit length form, as every VR added since 2000 does (PS3.5 6.2).
                headerLength = 12;
                if (header.Length < 12)
                {
                    used = 12;
                    return ParseStatus.NeedMore;
                }
                valueLength = ReadUInt32(header[8..], frame.BigEndian);
                if (vr == DicomVR.None)
                    vr = DicomVR.UN;
            }
            else if (vr != DicomVR.None)
            {
                headerLength = 8;
                valueLength = frame.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(header[6..]) : BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            }
            else
            {
                throw new DicomException($"Invalid VR bytes 0x{header[4]:X2}{header[5]:X2} in explicit VR data", position + 4, tag);
            }
        }
        if (frame.Implicit || vr == DicomVR.UN)
        {
            var known = _implicitVR(tag, frame.Dataset!);
            if (frame.Implicit)
                vr = known;
            else if (known == DicomVR.SQ && valueLength == uint.MaxValue)
                vr = DicomVR.UN; // handled below as an implicit VR sequence (CP-246)
        }
        var valueStart = position + headerLength;
        if (valueLength == uint.MaxValue)
        {
            used = headerLength;
            if (tag == PixelDataTag && vr is DicomVR.OB or DicomVR.OW or DicomVR.UN or DicomVR.None)
            {
                var fragments = new DicomFragmentSequence(tag, vr is DicomVR.UN or DicomVR.None ? DicomVR.OB : vr);
                Append(frame, fragments, position);
                Push(new Frame(FrameKind.Fragments, -1, frame.Implicit, frame.BigEndian, tag) { Fragments = fragments }, position, tag);
                return ParseStatus.Done;
            }
            if (vr is DicomVR.SQ or DicomVR.UN or DicomVR.None || frame.Implicit)
            {
                // UN of undefined length holds implicit VR little endian items (PS3.5 6.2.2, CP-246).
                var implicitInside = frame.Implicit || vr != DicomVR.SQ;
                var sequence = new DicomSequence(tag) { WasUndefinedLength = true };
                Append(frame, sequence, position);
                Push(new Frame(FrameKind.Sequence, -1, implicitInside, implicitInside ? false : frame.BigEndian, tag) { Sequence = sequence }, position, tag);
                return ParseStatus.Done;
            }
            throw new DicomException($"{tag} has VR {vr.Code()} and undefined length, which only sequences and encapsulated pixel data may have", position, tag);
        }
        CheckFits(frame, tag, valueStart, valueLength, position);
        if (vr == DicomVR.SQ)
        {
            used = headerLength;
            var sequence = new DicomSequence(tag);
            Append(frame, sequence, position);
            Push(new Frame(FrameKind.Sequence, valueStart + valueLength, frame.Implicit, frame.BigEndian, tag) { Sequence = sequence }, position, tag);
            if (InputEnd is null && valueStart + valueLength > _longestSequence.End)
                _longestSequence = (valueStart + valueLength, position, tag, valueLength);
            return ParseStatus.Done;
        }
        if (vr == DicomVR.None)
            vr = DicomVR.UN;
        if (ShouldReference(valueLength, frame.BigEndian ? vr.SwapUnit() : 1))
        {
            used = headerLength;
            skip = valueLength;
            Append(frame, new DicomElement(tag, vr, new DicomBulkDataReference(BulkSource!, valueStart, valueLength)), position);
            return ParseStatus.Skip;
        }
        if (valueLength > Array.MaxLength - headerLength)
            throw new DicomException($"{tag} declares {valueLength} bytes, too many to hold in memory; read with a bulk data threshold from a file", position, tag);
        used = headerLength + (int)valueLength;
        if (header.Length < used)
            return ParseStatus.NeedMore;
        var value = input.Slice(headerLength, (int)valueLength);
        if (frame.BigEndian && vr.SwapUnit() > 1)
            value = SwapToLittleEndian(value.Span, vr.SwapUnit());
        Append(frame, new DicomElement(tag, vr, value), position);
        return ParseStatus.Done;
    }

    private ParseStatus StepSequence(Frame frame, DicomTag tag, ReadOnlySpan<byte> header, long position, out int used, out long skip)
    {
        used = 8;
        skip = 0;
        var length = ReadUInt32(header[4..], frame.BigEndian);
        if (tag == DicomTag.Item)
        {
            var item = new DicomDataset(8);
            long end = -1;
            if (length != uint.MaxValue)
            {
                if (InputEnd is { } inputEnd && position + 8 + length > inputEnd)
                {
                    // An item that claims more than the file holds, as the last record of some
                    // DICOMDIRs does: read what is there; a value that does not fit still fails.
                    Warnings.Add($"The item at offset {position} declares {length} bytes but the input ends after {inputEnd - position - 8}; read to the end.");
                    length = (uint)(inputEnd - position - 8);
                }
                CheckFits(frame, tag, position + 8, length, position);
                end = position + 8 + length;
            }
            frame.Sequence!.AddItem(item);
            Push(new Frame(FrameKind.Dataset, end, frame.Implicit, frame.BigEndian, frame.Owner) { Dataset = item, Start = position }, position, tag);
            return ParseStatus.Done;
        }
        if (tag == DicomTag.SequenceDelimitationItem)
        {
            Pop();
            return ParseStatus.Done;
        }
        throw new DicomException($"Expected an item or a sequence delimiter in {frame.Describe()} but found {tag}", position, tag);
    }

    private ParseStatus StepFragments(Frame frame, DicomTag tag, ReadOnlyMemory<byte> input, long position, out int used, out long skip)
    {
        skip = 0;
        var header = input.Span;
        var length = ReadUInt32(header[4..], frame.BigEndian);
        if (tag == DicomTag.SequenceDelimitationItem)
        {
            used = 8;
            Pop();
            return ParseStatus.Done;
        }
        if (tag != DicomTag.Item)
            throw new DicomException($"Expected a fragment item or a sequence delimiter in encapsulated pixel data but found {tag}", position, tag);
        if (length == uint.MaxValue)
            throw new DicomException("A pixel data fragment has undefined length", position, tag);
        CheckFits(frame, tag, position + 8, length, position);
        var fragments = frame.Fragments!;
        if (frame.SeenOffsetTable && ShouldReference(length, 1))
        {
            used = 8;
            skip = length;
            fragments.Add(new DicomFragment(new DicomBulkDataReference(BulkSource!, position + 8, length)));
            return ParseStatus.Skip;
        }
        if (length > Array.MaxLength - 8)
            throw new DicomException($"A fragment declares {length} bytes, too many to hold in memory; read with a bulk data threshold from a file", position, tag);
        used = 8 + (int)length;
        if (header.Length < used)
            return ParseStatus.NeedMore;
        var data = input.Slice(8, (int)length);
        if (!frame.SeenOffsetTable)
        {
            frame.SeenOffsetTable = true;
            fragments.BasicOffsetTable = data;
        }
        else
        {
            fragments.Add(new DicomFragment(data));
        }
        return ParseStatus.Done;
    }

    private bool ShouldReference(long length, int swapUnit) =>
        BulkSource is not null && swapUnit == 1 && _options.BulkDataThreshold is { } threshold && length >= threshold && length > 0;

    private void CheckFits(Frame frame, DicomTag tag, long valueStart, long valueLength, long position)
    {
        var end = valueStart + valueLength;
        if (InputEnd is { } inputEnd && end > inputEnd)
            throw new DicomException($"{tag} declares {valueLength} bytes but only {Math.Max(0, inputEnd - valueStart)} remain in the input", position, tag);
        foreach (var f in _stack)
        {
            if (f.End >= 0 && end > f.End)
            {
                // Writers that miscount a sequence's length are common (DICOMDIRs above all); dcmtk
                // reads on to the child's end, and so do we, when the bytes are really there. Without
                // a known input end, a stream that ends short fails where it ends.
                Warnings.Add($"{tag} at offset {position} runs {end - f.End} bytes past the declared end of its enclosing {f.Describe()}; the enclosing length was extended to match.");
                f.End = end;
            }
        }
    }

    /// <summary>
    /// The input ended at the top level. A sequence that declared more than the input held is
    /// refused, as CheckFits refuses it when the end is known up front, even if a delimiter closed it.
    /// </summary>
    private ParseStatus EndOfInput(long end)
    {
        if (InputEnd is null && _longestSequence.End > end)
        {
            var (_, position, tag, length) = _longestSequence;
            throw new DicomException($"{tag} declares {length} bytes but only {Math.Max(0, end - (_longestSequence.End - length))} remain in the input", position, tag);
        }
        return ParseStatus.Done;
    }

    /// <summary>
    /// True when a stream of unknown length ended where only items (defined length, claiming more
    /// than arrived) are open: the input StepSequence reads to the end when it knows the end up front.
    /// </summary>
    private bool OnlyItemsRunPastEnd(long position)
    {
        for (var i = 1; i < _stack.Count; i++)
        {
            var f = _stack[i];
            if (f.End < 0 || (f.Kind == FrameKind.Sequence && f.DeclaredEnd > position))
                return false;
        }
        return true;
    }

    private void CloseItemsAtEnd(long position)
    {
        while (_stack.Count > 1)
        {
            var f = _stack[^1];
            if (f.Kind == FrameKind.Dataset && f.DeclaredEnd > position)
                Warnings.Add($"The item at offset {f.Start} declares {f.DeclaredEnd - f.Start - 8} bytes but the input ends after {position - f.Start - 8}; read to the end.");
            Pop();
        }
    }

    private void Append(Frame frame, DicomAttribute attribute, long position)
    {
        if (!frame.Dataset!.TryAppendFromReader(attribute))
            throw new DicomException($"{attribute.Tag} appears twice in the same data set", position, attribute.Tag);
    }

    private void Push(Frame frame, long position, DicomTag tag)
    {
        // The stack is the data set, then a sequence and an item per level: a sequence opened on a
        // stack of 2k+1 frames is the (k+1)th level. Items add no depth of their own.
        if (frame.Kind != FrameKind.Dataset && (_stack.Count + 1) / 2 > _options.MaxNestingDepth)
            throw new DicomException($"Sequences are nested more than {_options.MaxNestingDepth} deep", position, tag);
        if (frame.Dataset is { } item && _stack[^1].Sequence is not null)
            item.Parent = _stack[^2].Dataset;
        _stack.Add(frame);
    }

    private void Pop()
    {
        if (_stack.Count == 1)
            return;
        _stack.RemoveAt(_stack.Count - 1);
    }

    private static bool IsTrailingPadding(ReadOnlySpan<byte> rest) => !rest.ContainsAnyExcept((byte)0);

    private static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    private static DicomTag ReadTag(ReadOnlySpan<byte> header, bool bigEndian) => bigEndian
        ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(header), BinaryPrimitives.ReadUInt16BigEndian(header[2..]))
        : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(header), BinaryPrimitives.ReadUInt16LittleEndian(header[2..]));

    private static uint ReadUInt32(ReadOnlySpan<byte> span, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);

    private static byte[] SwapToLittleEndian(ReadOnlySpan<byte> value, int unit)
    {
        var copy = value.ToArray();
        for (var i = 0; i + unit <= copy.Length; i += unit)
            copy.AsSpan(i, unit).Reverse();
        return copy;
    }

    private static string Describe(DicomTag tag) =>
        tag == DicomTag.Item ? "item" : tag == DicomTag.ItemDelimitationItem ? "item delimiter" : tag == DicomTag.SequenceDelimitationItem ? "sequence delimiter" : tag.ToString();

    internal static readonly DicomTag PixelDataTag = new(0x7FE0, 0x0010);

    private enum FrameKind
    {
        Dataset,
        Sequence,
        Fragments,
    }

    private sealed class Frame(FrameKind kind, long end, bool isImplicit, bool bigEndian, DicomTag? owner)
    {
        public FrameKind Kind { get; } = kind;
        public long End { get; set; } = end;
        public long DeclaredEnd { get; } = end;
        public long Start { get; init; }
        public bool Implicit { get; } = isImplicit;
        public bool BigEndian { get; } = bigEndian;
        public DicomTag? Owner { get; } = owner;
        public DicomDataset? Dataset { get; init; }
        public DicomSequence? Sequence { get; init; }
        public DicomFragmentSequence? Fragments { get; init; }
        public bool SeenOffsetTable { get; set; }

        public string Describe() => Kind switch
        {
            FrameKind.Sequence => $"sequence {Owner}",
            FrameKind.Fragments => "encapsulated pixel data",
            _ when Owner is { } o => $"item of {o}",
            _ => "data set",
        };
    }
}

/// <summary>What <see cref="DicomParser.Parse"/> wants next.</summary>
internal enum ParseStatus
{
    /// <summary>The data set is complete (or parsing stopped where asked).</summary>
    Done,
    /// <summary>More bytes are needed to complete the next element.</summary>
    NeedMore,
    /// <summary>A large value was recorded by reference; skip its bytes.</summary>
    Skip,
}
