using System.Buffers.Binary;

namespace OrleansImaging.Dicom.IO;

/// <summary>
/// Keeps a DICOMDIR's record offsets true when it is rewritten. Those offsets (PS3.3 F.3.2.1) are
/// byte positions in the file, counted from the first byte of the preamble, so a different File
/// Meta Information, a padded value or a dropped group length moves every record and would leave
/// the directory pointing into the middle of others.
/// </summary>
internal static class DicomDirectoryOffsets
{
    private static readonly DicomTag DirectoryRecordSequence = new(0x0004, 0x1220);
    private static readonly DicomTag FirstRecordOffset = new(0x0004, 0x1200);
    private static readonly DicomTag LastRecordOffset = new(0x0004, 0x1202);
    private static readonly DicomTag NextRecordOffset = new(0x0004, 0x1400);
    private static readonly DicomTag LowerLevelRecordOffset = new(0x0004, 0x1420);

    /// <summary>
    /// A copy of <paramref name="dataset"/> whose offsets point where the records will be written, or
    /// the data set itself when it is not a directory. <paramref name="datasetStart"/> is the file
    /// offset of the data set's first byte.
    /// </summary>
    /// <exception cref="DicomException">The offsets do not match the records, so they cannot be mapped.</exception>
    public static DicomDataset Rewrite(DicomDataset dataset, long datasetStart, DicomDatasetEncoder encoder)
    {
        if (!dataset.TryGetAttribute(DirectoryRecordSequence, out var attribute))
            return dataset;
        if (attribute is DicomElement raw)
        {
            dataset = dataset.Clone();
            attribute = ParseRecords(raw);
            dataset.AddOrUpdate(attribute);
        }
        if (attribute is not DicomSequence { Items.Count: > 0 } records)
            return dataset;
        var referenced = new SortedSet<uint>();
        foreach (var (_, offset) in Offsets(dataset, FirstRecordOffset, LastRecordOffset))
            referenced.Add(offset);
        foreach (var record in records.Items)
        {
            foreach (var (_, offset) in Offsets(record, NextRecordOffset, LowerLevelRecordOffset))
                referenced.Add(offset);
        }
        var newPositions = encoder.MeasureItemPositions(dataset, records);
        for (var k = 0; k < newPositions.Length; k++)
            newPositions[k] += datasetStart;
        var map = MapOffsets(referenced, newPositions);
        var copy = dataset.Clone();
        Replace(copy, map, FirstRecordOffset, LastRecordOffset);
        var newRecords = new List<DicomDataset>(records.Items.Count);
        foreach (var record in records.Items)
        {
            var recordCopy = record.Clone();
            Replace(recordCopy, map, NextRecordOffset, LowerLevelRecordOffset);
            newRecords.Add(recordCopy);
        }
        copy.AddOrUpdate(new DicomSequence(DirectoryRecordSequence, newRecords) { WasUndefinedLength = records.WasUndefinedLength });
        return copy;
    }

    /// <summary>
    /// Parses a record sequence read as a plain value: implicit VR input with no dictionary to say
    /// that (0004,1220) is a sequence. Its items are implicit VR little endian, which is how
    /// PS3.5 6.2.2 reads a UN value of undefined length, so that is what the bytes are fed as.
    /// </summary>
    private static DicomSequence ParseRecords(DicomElement raw)
    {
        if (!raw.IsLoaded || raw.VR is not (DicomVR.UN or DicomVR.None or DicomVR.SQ))
            throw new DicomException($"{DirectoryRecordSequence} is a {raw.VR.Code()} value, not a sequence, so the DICOMDIR's offsets cannot be rewritten.");
        var bytes = new byte[12 + raw.Length + 8];
        ReadOnlySpan<byte> header = [0x04, 0x00, 0x20, 0x12, (byte)'U', (byte)'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        header.CopyTo(bytes);
        raw.RawValue.Span.CopyTo(bytes.AsSpan(12));
        ReadOnlySpan<byte> delimiter = [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0];
        delimiter.CopyTo(bytes.AsSpan(12 + (int)raw.Length));
        var holder = new DicomDataset();
        var parser = new DicomParser(holder, explicitVR: true, bigEndian: false, DicomReadOptions.Default, DicomFileReader.DefaultVR) { InputEnd = bytes.Length };
        try
        {
            parser.Parse(bytes, 0, isFinal: true, out _, out _);
        }
        catch (DicomException ex)
        {
            throw new DicomException($"{DirectoryRecordSequence} could not be read as a sequence, so the DICOMDIR's offsets cannot be rewritten: {ex.Message}", ex);
        }
        var parsed = holder.GetSequenceOrDefault(DirectoryRecordSequence)
            ?? throw new DicomException($"{DirectoryRecordSequence} could not be read as a sequence, so the DICOMDIR's offsets cannot be rewritten.");
        // Read with a defined length, so keep writing it with one.
        return new DicomSequence(DirectoryRecordSequence, parsed.Items);
    }

    /// <summary>
    /// Old offset → new position. Records are stored in offset order, so when every record is
    /// referenced the k-th smallest offset is the k-th record. When some are not (inactive records),
    /// the layout must be unchanged but for a shift, which is found by trying each record as the
    /// target of the smallest offset.
    /// </summary>
    private static Dictionary<uint, uint> MapOffsets(SortedSet<uint> referenced, long[] newPositions)
    {
        if (newPositions[^1] > uint.MaxValue)
            throw new DicomException("The DICOMDIR is too large for 32-bit record offsets.");
        var old = referenced.ToArray();
        var map = new Dictionary<uint, uint>();
        if (old.Length == newPositions.Length)
        {
            for (var k = 0; k < old.Length; k++)
                map[old[k]] = (uint)newPositions[k];
            return map;
        }
        var positions = new HashSet<long>(newPositions);
        foreach (var candidate in newPositions)
        {
            var shift = candidate - old[0];
            if (old.All(o => positions.Contains(o + shift)))
            {
                foreach (var o in old)
                    map[o] = (uint)(o + shift);
                return map;
            }
        }
        throw new DicomException($"The DICOMDIR's {old.Length} distinct record offsets cannot be matched to its {newPositions.Length} records, so it cannot be rewritten without breaking them.");
    }

    private static void Replace(DicomDataset dataset, Dictionary<uint, uint> map, params DicomTag[] tags)
    {
        foreach (var (element, offset) in Offsets(dataset, tags))
        {
            var value = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(value, map[offset]);
            dataset.AddOrUpdate(new DicomElement(element.Tag, element.VR, value));
        }
    }

    /// <summary>The non-zero offsets among <paramref name="tags"/> (zero means "none").</summary>
    private static List<(DicomElement Element, uint Offset)> Offsets(DicomDataset dataset, params DicomTag[] tags)
    {
        var found = new List<(DicomElement, uint)>();
        foreach (var tag in tags)
        {
            if (dataset.TryGetAttribute(tag, out var attribute) && attribute is DicomElement { IsLoaded: true, Length: 4 } element
                && BinaryPrimitives.ReadUInt32LittleEndian(element.RawValue.Span) is var offset and > 0)
                found.Add((element, offset));
        }
        return found;
    }
}
