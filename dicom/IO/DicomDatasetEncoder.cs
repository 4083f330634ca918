namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Encodes data sets in one transfer syntax. Lengths that must precede their content (defined
/// length sequences and items, group lengths) come from a measuring pass over the same rules the
/// writing pass follows, so the output is never buffered whole; item sizes are remembered, so
/// nested defined lengths cost one measurement per item, not one per level.
/// </summary>
internal sealed class DicomDatasetEncoder
{
    /// <summary>Deeper nesting than any real data set, shallow enough that a cycle fails instead of overflowing the stack.</summary>
    private const int MaxDepth = 256;
    private const uint UndefinedLength = 0xFFFFFFFF;
    private static readonly DicomTag PixelDataTag = new(0x7FE0, 0x0010);

    private readonly DicomTransferSyntax _syntax;
    private readonly DicomWriteOptions _options;
    private readonly bool _explicitVR;
    private readonly bool _writeGroupLengths;
    private readonly Dictionary<DicomDataset, long> _itemSizes = new(ReferenceEqualityComparer.Instance);

    public DicomDatasetEncoder(DicomTransferSyntax syntax, DicomWriteOptions options, bool writeGroupLengths)
    {
        _syntax = syntax;
        _options = options;
        _explicitVR = syntax.IsExplicitVR;
        _writeGroupLengths = writeGroupLengths;
    }

    /// <summary>The encoded length of a data set's elements (its item content, when it is an item).</summary>
    public long MeasureDataset(DicomDataset dataset, int depth)
    {
        if (_itemSizes.TryGetValue(dataset, out var known))
            return known;
        CheckDepth(depth);
        var attributes = WrittenAttributes(dataset);
        long total = 0;
        for (var i = 0; i < attributes.Length; i++)
        {
            if (_writeGroupLengths && StartsGroup(attributes, i))
                total += GroupLengthElementSize;
            total += MeasureAttribute(attributes[i], depth);
        }
        _itemSizes[dataset] = total;
        return total;
    }

    /// <summary>
    /// Where the item tags of <paramref name="sequence"/>, a top-level attribute of
    /// <paramref name="dataset"/>, will be, counted from the data set's first byte.
    /// </summary>
    public long[] MeasureItemPositions(DicomDataset dataset, DicomSequence sequence)
    {
        var attributes = WrittenAttributes(dataset);
        long position = 0;
        for (var i = 0; i < attributes.Length; i++)
        {
            if (_writeGroupLengths && StartsGroup(attributes, i))
                position += GroupLengthElementSize;
            if (ReferenceEquals(attributes[i], sequence))
                break;
            position += MeasureAttribute(attributes[i], 0);
        }
        position += _explicitVR ? 12 : 8;
        var delimiter = ItemsUndefined(sequence) ? 8 : 0;
        var positions = new long[sequence.Items.Count];
        for (var k = 0; k < positions.Length; k++)
        {
            positions[k] = position;
            position += 8 + MeasureDataset(sequence.Items[k], 1) + delimiter;
        }
        return positions;
    }

    public async ValueTask WriteDatasetAsync(DicomOutput output, DicomDataset dataset, int depth)
    {
        CheckDepth(depth);
        var attributes = WrittenAttributes(dataset);
        for (var i = 0; i < attributes.Length; i++)
        {
            if (_writeGroupLengths && StartsGroup(attributes, i))
                await WriteGroupLengthAsync(output, attributes, i, depth).ConfigureAwait(false);
            await WriteAttributeAsync(output, attributes[i], depth).ConfigureAwait(false);
        }
    }

    private ValueTask WriteAttributeAsync(DicomOutput output, DicomAttribute attribute, int depth) => attribute switch
    {
        DicomElement element => WriteElementAsync(output, element, depth),
        DicomSequence sequence => WriteSequenceAsync(output, sequence, depth),
        DicomFragmentSequence fragments => WriteFragmentsAsync(output, fragments),
        _ => throw new DicomException($"{attribute.Tag}: {attribute.GetType().Name} is not an attribute the writer knows."),
    };

    private long MeasureAttribute(DicomAttribute attribute, int depth) => attribute switch
    {
        DicomElement element => ElementHeaderSize(WireVR(element)) + PaddedLength(element),
        DicomSequence sequence => (_explicitVR ? 12 : 8) + MeasureSequenceValue(sequence, depth) + (IsUndefined(sequence) ? 8 : 0),
        DicomFragmentSequence fragments => MeasureFragments(fragments),
        _ => throw new DicomException($"{attribute.Tag}: {attribute.GetType().Name} is not an attribute the writer knows."),
    };

    private long MeasureSequenceValue(DicomSequence sequence, int depth)
    {
        var delimiter = ItemsUndefined(sequence) ? 8 : 0;
        long total = 0;
        foreach (var item in sequence.Items)
            total += 8 + MeasureDataset(item, depth + 1) + delimiter;
        return total;
    }

    private static long MeasureFragments(DicomFragmentSequence fragments)
    {
        long total = 12 + 8 + Padded(fragments.BasicOffsetTable.Length) + 8;
        foreach (var fragment in fragments.Fragments)
            total += 8 + Padded(fragment.Length);
        return total;
    }

    private async ValueTask WriteElementAsync(DicomOutput output, DicomElement element, int depth)
    {
        if (depth == 0 && element.Tag == PixelDataTag && _syntax.IsEncapsulated && _syntax.IsKnown)
            throw new DicomException($"Native (uncompressed) pixel data cannot be written in {_syntax.Name}, which needs encapsulated pixel data; compress it first or write an uncompressed transfer syntax.");
        var length = CheckDefinedLength(PaddedLength(element), element.Tag);
        await WriteHeaderAsync(output, element.Tag, WireVR(element), length).ConfigureAwait(false);
        // Swap by the element's own VR even when it is written as UN: a UN value is the value as
        // encoded in the transfer syntax (PS3.5 6.2.2), so a big-endian UN carries big-endian numbers.
        var swapUnit = output.BigEndian ? element.VR.SwapUnit() : 1;
        if (element.BulkData is { } bulk)
            await output.CopyBulkDataAsync(bulk, swapUnit).ConfigureAwait(false);
        else
            await output.WriteValueAsync(element.RawValue, swapUnit).ConfigureAwait(false);
        if (element.Length % 2 != 0)
        {
            // The reader keeps odd values as read; on the wire every value is even (PS3.5 7.1.1).
            await output.ReserveAsync(1).ConfigureAwait(false);
            output.WriteRaw([element.VR.PaddingByte()]);
        }
    }

    private async ValueTask WriteSequenceAsync(DicomOutput output, DicomSequence sequence, int depth)
    {
        var undefined = IsUndefined(sequence);
        var itemsUndefined = ItemsUndefined(sequence);
        var length = undefined ? UndefinedLength : CheckDefinedLength(MeasureSequenceValue(sequence, depth), sequence.Tag);
        await WriteHeaderAsync(output, sequence.Tag, DicomVR.SQ, length).ConfigureAwait(false);
        foreach (var item in sequence.Items)
        {
            var itemLength = itemsUndefined ? UndefinedLength : CheckDefinedLength(MeasureDataset(item, depth + 1), sequence.Tag);
            await WriteItemHeaderAsync(output, DicomTag.Item, itemLength).ConfigureAwait(false);
            await WriteDatasetAsync(output, item, depth + 1).ConfigureAwait(false);
            if (itemsUndefined)
                await WriteItemHeaderAsync(output, DicomTag.ItemDelimitationItem, 0).ConfigureAwait(false);
        }
        if (undefined)
            await WriteItemHeaderAsync(output, DicomTag.SequenceDelimitationItem, 0).ConfigureAwait(false);
    }

    private async ValueTask WriteFragmentsAsync(DicomOutput output, DicomFragmentSequence fragments)
    {
        if (!_syntax.IsEncapsulated)
            throw new DicomException($"{fragments.Tag} holds encapsulated (compressed) pixel data, which cannot be written in {_syntax.Name}; decompress it first or write the transfer syntax it was compressed in.");
        await WriteHeaderAsync(output, fragments.Tag, fragments.VR, UndefinedLength).ConfigureAwait(false);
        var offsetTable = fragments.BasicOffsetTable;
        await WriteItemHeaderAsync(output, DicomTag.Item, (uint)Padded(offsetTable.Length)).ConfigureAwait(false);
        await output.WriteValueAsync(offsetTable, 1).ConfigureAwait(false);
        await PadAsync(output, offsetTable.Length).ConfigureAwait(false);
        foreach (var fragment in fragments.Fragments)
        {
            // Fragments must be even (PS3.5 A.4); an odd one gets a trailing NUL, which decoders ignore.
            await WriteItemHeaderAsync(output, DicomTag.Item, CheckDefinedLength(Padded(fragment.Length), fragments.Tag)).ConfigureAwait(false);
            if (fragment.BulkData is { } bulk)
                await output.CopyBulkDataAsync(bulk, 1).ConfigureAwait(false);
            else
                await output.WriteValueAsync(fragment.Data, 1).ConfigureAwait(false);
            await PadAsync(output, fragment.Length).ConfigureAwait(false);
        }
        await WriteItemHeaderAsync(output, DicomTag.SequenceDelimitationItem, 0).ConfigureAwait(false);
    }

    private async ValueTask WriteGroupLengthAsync(DicomOutput output, DicomAttribute[] attributes, int start, int depth)
    {
        var group = attributes[start].Tag.Group;
        long length = 0;
        for (var i = start; i < attributes.Length && attributes[i].Tag.Group == group; i++)
            length += MeasureAttribute(attributes[i], depth);
        if (length > uint.MaxValue)
            throw new DicomException($"Group {group:X4} holds {length} bytes, more than a group length can say; write without group lengths.");
        var tag = new DicomTag(group, 0);
        await WriteHeaderAsync(output, tag, DicomVR.UL, 4).ConfigureAwait(false);
        await output.ReserveAsync(4).ConfigureAwait(false);
        output.WriteUInt32((uint)length);
    }

    private async ValueTask WriteHeaderAsync(DicomOutput output, DicomTag tag, DicomVR vr, uint length)
    {
        await output.ReserveAsync(12).ConfigureAwait(false);
        output.WriteTag(tag);
        if (!_explicitVR)
        {
            output.WriteUInt32(length);
            return;
        }
        output.WriteRaw([(byte)((ushort)vr >> 8), (byte)vr]);
        if (vr.HasLongExplicitLength())
        {
            output.WriteUInt16(0);
            output.WriteUInt32(length);
        }
        else
        {
            output.WriteUInt16((ushort)length);
        }
    }

    private static async ValueTask WriteItemHeaderAsync(DicomOutput output, DicomTag tag, uint length)
    {
        await output.ReserveAsync(8).ConfigureAwait(false);
        output.WriteTag(tag);
        output.WriteUInt32(length);
    }

    private static async ValueTask PadAsync(DicomOutput output, long length)
    {
        if (length % 2 == 0)
            return;
        await output.ReserveAsync(1).ConfigureAwait(false);
        output.WriteRaw([0]);
    }

    /// <summary>
    /// The VR written for an element. Unknown VRs become UN. In explicit VR, a value too long for
    /// its VR's 16-bit length field (bad input, e.g. a 70 000-byte LO) is written as UN with a
    /// 32-bit length, as PS3.5 6.2.2 allows for values whose VR cannot be encoded, rather than with
    /// a truncated length that would corrupt everything after it.
    /// </summary>
    private DicomVR WireVR(DicomElement element)
    {
        var vr = element.VR == DicomVR.None ? DicomVR.UN : element.VR;
        if (_explicitVR && !vr.HasLongExplicitLength() && PaddedLength(element) > ushort.MaxValue)
            return DicomVR.UN;
        return vr;
    }

    private int ElementHeaderSize(DicomVR vr) => _explicitVR && vr.HasLongExplicitLength() ? 12 : 8;

    /// <summary>A UL group length element is 12 bytes in every uncompressed encoding.</summary>
    private const int GroupLengthElementSize = 12;

    private bool IsUndefined(DicomSequence sequence) => _options.SequenceLength switch
    {
        DicomLengthEncoding.Undefined => true,
        DicomLengthEncoding.Defined => false,
        _ => sequence.WasUndefinedLength,
    };

    private bool ItemsUndefined(DicomSequence sequence) => _options.ItemLength switch
    {
        DicomLengthEncoding.Undefined => true,
        DicomLengthEncoding.Defined => false,
        _ => IsUndefined(sequence),
    };

    private static DicomAttribute[] WrittenAttributes(DicomDataset dataset)
    {
        // Group lengths are never copied: they are dropped, or recomputed when asked for.
        var list = new List<DicomAttribute>(dataset.Count);
        foreach (var attribute in dataset)
        {
            if (!attribute.Tag.IsGroupLength)
                list.Add(attribute);
        }
        return [.. list];
    }

    private static bool StartsGroup(DicomAttribute[] attributes, int index) =>
        index == 0 || attributes[index - 1].Tag.Group != attributes[index].Tag.Group;

    private static long PaddedLength(DicomElement element) => Padded(element.Length);

    private static long Padded(long length) => length + (length & 1);

    private static uint CheckDefinedLength(long length, DicomTag tag) => length < UndefinedLength
        ? (uint)length
        : throw new DicomException($"{tag}: {length} bytes do not fit a 32-bit length; write sequences with undefined length, or split the value.");

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
            throw new DicomException($"Sequences are nested more than {MaxDepth} deep; is an item its own ancestor?");
    }
}
