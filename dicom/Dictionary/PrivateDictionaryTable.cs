using System.Diagnostics.CodeAnalysis;

namespace OrleansImaging.Dicom;

/// <summary>
/// Private entries by creator. A private data element (gggg,xxee) belongs to the creator
/// recorded at (gggg,00xx), and dictionaries know it by group and low byte ee, whichever block
/// xx the creator happened to reserve. A few entries name a specific element instead; those
/// win when the element matches exactly.
/// </summary>
internal sealed class PrivateDictionaryTable
{
    private readonly Dictionary<string, CreatorEntries>.AlternateLookup<ReadOnlySpan<char>> _byCreator;

    public PrivateDictionaryTable(IEnumerable<DicomDictionaryEntry> entries)
    {
        var byCreator = new Dictionary<string, CreatorEntries>(StringComparer.Ordinal);
        foreach (var group in entries.GroupBy(e => e.PrivateCreator!, StringComparer.Ordinal))
        {
            var byKey = new Dictionary<uint, DicomDictionaryEntry>();
            var groupRanges = new List<DicomDictionaryEntry>();
            // Low-byte entries first, then specific elements, which also stand in for their low
            // byte when no entry claims it (the first such element, in element order, wins).
            foreach (var entry in group.OrderBy(e => e.Range.ElementStep == 1))
            {
                var range = entry.Range;
                if (range.FirstGroup != range.LastGroup)
                {
                    groupRanges.Add(entry);
                    continue;
                }
                var groupKey = (uint)range.FirstGroup << 16;
                if (range.ElementStep == 1)
                    byKey.TryAdd(groupKey | range.FirstElement, entry);
                byKey.TryAdd(groupKey | (range.FirstElement & 0xFFu), entry);
            }
            byCreator[group.Key] = new CreatorEntries(byKey, [.. groupRanges]);
        }
        // Read-only once built, so concurrent lookups are safe without freezing it.
        _byCreator = byCreator.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TryGet(ReadOnlySpan<char> creator, DicomTag tag, [NotNullWhen(true)] out DicomDictionaryEntry? entry)
    {
        entry = null;
        // Only (gggg,1000)-(gggg,FFFF) of a private group are data elements a creator owns.
        if (!tag.IsPrivate || tag.Element < 0x1000)
            return false;
        // LO values may carry padding; the creator is the same with or without it.
        if (!_byCreator.TryGetValue(creator.Trim(" \0"), out var entries))
            return false;
        var groupKey = (uint)tag.Group << 16;
        if (entries.ByKey.TryGetValue(groupKey | tag.Element, out entry)
            || entries.ByKey.TryGetValue(groupKey | (tag.Element & 0xFFu), out entry))
            return true;
        foreach (var candidate in entries.GroupRanges)
        {
            if (candidate.Range.Contains(tag) || candidate.Range.Contains(new DicomTag(tag.Group, (ushort)(0x1000 | (tag.Element & 0xFF)))))
            {
                entry = candidate;
                return true;
            }
        }
        return false;
    }

    /// <param name="ByKey">
    /// Keyed by group &lt;&lt; 16 | element for specific elements (always 1000 or more) and
    /// group &lt;&lt; 16 | low byte for the rest (always below 100), so the two never collide.
    /// </param>
    /// <param name="GroupRanges">Entries for repeating private groups such as (6001-60FF odd).</param>
    private sealed record CreatorEntries(Dictionary<uint, DicomDictionaryEntry> ByKey, DicomDictionaryEntry[] GroupRanges);
}
