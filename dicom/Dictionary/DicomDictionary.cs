using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace OrleansImaging.Dicom;

/// <summary>
/// The DICOM data dictionary (PS3.6): for a tag, its keyword, VRs, multiplicity and status.
/// Readers of Implicit VR data ask it for every element, so the common path — an exact
/// standard tag — is one frozen-dictionary probe and allocates nothing.
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

    private readonly FrozenDictionary<uint, DicomDictionaryEntry> _exact;

    // Ranges whose varying part is a whole low byte, such as (60xx,3000) or (0020,31xx), are
    // found by masking the tag: key = mask << 32 | (tag & mask). Anything else is scanned.
    private readonly uint[] _rangeMasks;
    private readonly FrozenDictionary<ulong, DicomDictionaryEntry[]> _rangesByMaskedTag;
    private readonly DicomDictionaryEntry[] _otherRanges;

    private readonly Lazy<FrozenDictionary<string, DicomDictionaryEntry>> _byKeyword;
    private readonly Lazy<PrivateDictionaryTable> _private;

    internal DicomDictionary(
        IReadOnlyList<DicomDictionaryEntry> exact, IReadOnlyList<DicomDictionaryEntry> ranges,
        Func<IEnumerable<DicomDictionaryEntry>> privateEntries)
    {
        _exact = exact.ToFrozenDictionary(e => e.Tag.Value);

        var masked = new Dictionary<ulong, List<DicomDictionaryEntry>>();
        var other = new List<DicomDictionaryEntry>();
        foreach (var entry in ranges)
        {
            if (RangeMask(entry.Range) is { } mask)
            {
                var key = ((ulong)mask << 32) | (entry.Tag.Value & mask);
                if (!masked.TryGetValue(key, out var list))
                    masked[key] = list = [];
                list.Add(entry);
            }
            else
            {
                other.Add(entry);
            }
        }
        _rangesByMaskedTag = masked.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray());
        _rangeMasks = [.. masked.Keys.Select(k => (uint)(k >> 32)).Distinct().OrderByDescending(uint.PopCount).ThenByDescending(m => m)];
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
        foreach (var mask in _rangeMasks)
        {
            if (_rangesByMaskedTag.TryGetValue(((ulong)mask << 32) | (tag.Value & mask), out var candidates))
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

    private static FrozenDictionary<string, DicomDictionaryEntry> BuildKeywordIndex(
        IReadOnlyList<DicomDictionaryEntry> exact, IReadOnlyList<DicomDictionaryEntry> ranges)
    {
        var byKeyword = new Dictionary<string, DicomDictionaryEntry>(exact.Count + ranges.Count, StringComparer.Ordinal);
        foreach (var entry in exact.Concat(ranges))
            byKeyword.TryAdd(entry.Keyword, entry);
        return byKeyword.ToFrozenDictionary(StringComparer.Ordinal);
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
