namespace OrleansImaging.Dicom;

/// <summary>A sequence of items (VR SQ); each item is a data set nested in the parent.</summary>
public sealed class DicomSequence : DicomAttribute
{
    private readonly List<DicomDataset> _items;

    /// <summary>Creates a sequence with the given items.</summary>
    public DicomSequence(DicomTag tag, params IEnumerable<DicomDataset> items) : base(tag, DicomVR.SQ) => _items = [.. items];

    /// <summary>The items, in order.</summary>
    public IReadOnlyList<DicomDataset> Items => _items;

    /// <summary>True when the sequence was read with undefined length (delimited), for faithful rewriting.</summary>
    public bool WasUndefinedLength { get; init; }

    internal void AddItem(DicomDataset item) => _items.Add(item);

    /// <inheritdoc />
    public override string ToString() => $"{Tag} SQ ({_items.Count} items)";
}

/// <summary>
/// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table (the first item, possibly empty)
/// followed by fragments. Fragments are kept as read, in memory or as references into the source.
/// </summary>
public sealed partial class DicomFragmentSequence : DicomAttribute
{
    private readonly List<DicomFragment> _fragments = [];

    /// <summary>Creates an empty fragment sequence; the reader or a codec adds the fragments.</summary>
    public DicomFragmentSequence(DicomTag tag, DicomVR vr) : base(tag, vr)
    {
    }

    /// <summary>The Basic Offset Table's raw bytes (little endian 32-bit offsets), empty when absent.</summary>
    public ReadOnlyMemory<byte> BasicOffsetTable { get; set; }

    /// <summary>The fragments after the offset table.</summary>
    public IReadOnlyList<DicomFragment> Fragments => _fragments;

    /// <summary>The Basic Offset Table as offsets, relative to the first byte of the first fragment's item tag.</summary>
    public uint[] GetBasicOffsets()
    {
        var span = BasicOffsetTable.Span;
        var offsets = new uint[span.Length / 4];
        for (var i = 0; i < offsets.Length; i++)
            offsets[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(i * 4, 4));
        return offsets;
    }

    /// <summary>Adds a fragment at the end.</summary>
    public void Add(DicomFragment fragment) => _fragments.Add(fragment);

    /// <inheritdoc />
    public override string ToString() => $"{Tag} {VR.Code()} encapsulated ({_fragments.Count} fragments)";
}

/// <summary>One fragment of encapsulated pixel data, in memory or left in its source.</summary>
public sealed class DicomFragment
{
    /// <summary>A fragment held in memory.</summary>
    public DicomFragment(ReadOnlyMemory<byte> data) => Data = data;

    /// <summary>A fragment left in its source.</summary>
    public DicomFragment(DicomBulkDataReference bulkData) => BulkData = bulkData;

    /// <summary>The fragment's bytes; empty when it is in <see cref="BulkData"/>.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Where the fragment is when it was not loaded.</summary>
    public DicomBulkDataReference? BulkData { get; }

    /// <summary>The fragment's length in bytes.</summary>
    public long Length => BulkData?.Length ?? Data.Length;
}
