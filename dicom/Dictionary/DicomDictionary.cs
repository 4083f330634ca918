using System.Diagnostics.CodeAnalysis;

namespace OrleansImaging.Dicom;

/// <summary>
/// The DICOM data dictionary (PS3.6): for a tag, its keyword, VRs, multiplicity and status.
/// Readers of Implicit VR data ask it for every element, so the common path — an exact
/// standard tag — is one binary search over a sorted array and allocates nothing.
/// </summary>
/// <remarks>
/// Built from dcmtk's dictionaries by tools/OrleansImaging.DictionaryGenerator; private
/// entries and the keyword index are built on first use, since most callers never need them.
/// </remarks>
public sealed class DicomDictionary
{
    private static readonly Lazy<DicomDictionary> LazyDefault = new(CreateDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    // PS3.5 7.2: every (gggg,0000) is a UL group length; outside the command and file meta
    // groups, which have exact entries of their own, they are retired.
    private static readonly DicomDictionaryEntry GroupLength = new(
        new DicomTagRange(0x0000, 0xFFFF, 1, 0x0000, 0x0000, 1), "GroupLength", [DicomVR.UL], "1", isRetired: true, privateCreator: null);

    private readonly TagIndex<DicomDictionaryEntry> _exact;

    // Ranges whose varying part is a whole low byte, such as (60xx,3000) or (0020,31xx), are
    // found by masking the tag, one index per mask. Anything else is scanned.
    private readonly (uint Mask, TagIndex<DicomDictionaryEntry[]> Entries)[] _maskedRanges;
    private readonly DicomDictionaryEntry[] _otherRanges;

    private readonly Lazy<Dictionary<string, DicomDictionaryEntry>> _byKeyword;
    private readonly Lazy<PrivateDictionaryTable> _private;

    internal DicomDictionary(
        IReadOnlyList<DicomDictionaryEntry> exact, IReadOnlyList<DicomDictionaryEntry> ranges,
        Func<IEnumerable<DicomDictionaryEntry>> privateEntries)
    {
        // Plain loops rather than LINQ: this runs once, at start-up, where JIT time dominates.
        var exactTags = new uint[exact.Count];
        var exactEntries = new DicomDictionaryEntry[exact.Count];
        for (var i = 0; i < exact.Count; i++)
        {
            exactTags[i] = exact[i].Tag.Value;
            exactEntries[i] = exact[i];
        }
        _exact = new TagIndex<DicomDictionaryEntry>(exactTags, exactEntries);

        var other = new List<DicomDictionaryEntry>();
        var masks = new List<uint>();
        foreach (var entry in ranges)
        {
            if (RangeMask(entry.Range) is not { } mask)
                other.Add(entry);
            else if (!masks.Contains(mask))
                masks.Add(mask);
        }
        // Most specific mask first, so an exact-element range wins over a wider one.
        masks.Sort((a, b) => uint.PopCount(b).CompareTo(uint.PopCount(a)) is var byBits and not 0 ? byBits : b.CompareTo(a));
        _maskedRanges = new (uint, TagIndex<DicomDictionaryEntry[]>)[masks.Count];
        for (var m = 0; m < masks.Count; m++)
            _maskedRanges[m] = (masks[m], IndexByMaskedTag(ranges, masks[m]));
        _otherRanges = [.. other];

        _byKeyword = new(() => BuildKeywordIndex(exact, ranges), LazyThreadSafetyMode.ExecutionAndPublication);
        _private = new(() => new PrivateDictionaryTable(privateEntries()), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The dictionary of the standard and dcmtk's private dictionary, built once on first use.</summary>
    public static DicomDictionary Default => LazyDefault.Value;

    /// <summary>
    /// Finds the standard entry for <paramref name="tag"/>: an exact entry, else a group length
    /// (gggg,0000), else a repeating group or element range such as (60xx,3000). Private data
    /// elements need their creator: see <see cref="TryGetPrivateEntry"/>.
    /// </summary>
    public bool TryGetEntry(DicomTag tag, [NotNullWhen(true)] out DicomDictionaryEntry? entry)
    {
        if (_exact.TryGetValue(tag.Value, out entry))
            return true;
        if (tag.Element == 0)
        {
            entry = GroupLength;
            return true;
        }
        foreach (var (mask, entries) in _maskedRanges)
        {
            if (entries.TryGetValue(tag.Value & mask, out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (candidate.Range.Contains(tag))
                    {
                        entry = candidate;
                        return true;
                    }
                }
            }
        }
        foreach (var candidate in _otherRanges)
        {
            if (candidate.Range.Contains(tag))
            {
                entry = candidate;
                return true;
            }
        }
        entry = null;
        return false;
    }

    /// <summary>
    /// Finds the entry for private data element <paramref name="tag"/> (gggg,xxee) owned by
    /// <paramref name="privateCreator"/>, matching on creator, group and the low byte ee, as
    /// private dictionaries key them. Padding spaces and NULs around the creator are ignored.
    /// </summary>
    public bool TryGetPrivateEntry(string privateCreator, DicomTag tag, [NotNullWhen(true)] out DicomDictionaryEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(privateCreator);
        return _private.Value.TryGet(privateCreator, tag, out entry);
    }

    /// <summary>Finds a standard entry by its PS3.6 keyword, e.g. "PatientName" (case-sensitive).</summary>
    public bool TryGetByKeyword(string keyword, [NotNullWhen(true)] out DicomDictionaryEntry? entry)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        return _byKeyword.Value.TryGetValue(keyword, out entry);
    }

    /// <summary>
    /// The VR to assume for <paramref name="tag"/> when the data does not say (Implicit VR):
    /// the entry's first VR, UL for group lengths, <see cref="DicomVR.None"/> for items and
    /// delimiters, and <see cref="DicomVR.UN"/> when the tag is unknown.
    /// </summary>
    public DicomVR GetDefaultVR(DicomTag tag) => TryGetEntry(tag, out var entry) ? entry.DefaultVR : DicomVR.UN;

    private static DicomDictionary CreateDefault()
    {
        var shared = new DicomDictionaryParser.SharedValues();
        var exact = DicomDictionaryParser.ParseExact(DicomDictionaryData.Exact, shared);
        var ranges = DicomDictionaryParser.ParseRanges(DicomDictionaryData.Ranges, shared, withCreator: false);
        return new DicomDictionary(exact, ranges,
            () => DicomDictionaryParser.ParseRanges(DicomDictionaryData.Private, new DicomDictionaryParser.SharedValues(), withCreator: true));
    }

    // A plain dictionary: read-only after construction, so safe for concurrent readers, and
    // built in a fraction of the time a frozen one needs to analyse five thousand strings.
    private static Dictionary<string, DicomDictionaryEntry> BuildKeywordIndex(
        IReadOnlyList<DicomDictionaryEntry> exact, IReadOnlyList<DicomDictionaryEntry> ranges)
    {
        var byKeyword = new Dictionary<string, DicomDictionaryEntry>(exact.Count + ranges.Count, StringComparer.Ordinal);
        foreach (var entry in exact.Concat(ranges))
            byKeyword.TryAdd(entry.Keyword, entry);
        return byKeyword;
    }

    /// <summary>The ranges of mask <paramref name="mask"/>, keyed by their masked tag (several may share one).</summary>
    private static TagIndex<DicomDictionaryEntry[]> IndexByMaskedTag(IReadOnlyList<DicomDictionaryEntry> ranges, uint mask)
    {
        var byKey = new SortedDictionary<uint, List<DicomDictionaryEntry>>();
        foreach (var entry in ranges)
        {
            if (RangeMask(entry.Range) != mask)
                continue;
            var key = entry.Tag.Value & mask;
            if (!byKey.TryGetValue(key, out var list))
                byKey[key] = list = [];
            list.Add(entry);
        }
        var keys = new uint[byKey.Count];
        var values = new DicomDictionaryEntry[byKey.Count][];
        var i = 0;
        foreach (var (key, list) in byKey)
        {
            keys[i] = key;
            values[i++] = [.. list];
        }
        return new TagIndex<DicomDictionaryEntry[]>(keys, values);
    }

    /// <summary>The mask that keeps a range's fixed bits, when its varying parts are whole low bytes.</summary>
    private static uint? RangeMask(DicomTagRange range)
    {
        static ushort? Part(ushort first, ushort last) =>
            first == last ? (ushort)0xFFFF
            : (first & 0xFF) == 0 && last == (first | 0xFF) ? (ushort)0xFF00
            : null;

        return Part(range.FirstGroup, range.LastGroup) is { } group && Part(range.FirstElement, range.LastElement) is { } element
            ? ((uint)group << 16) | element
            : null;
    }
}
