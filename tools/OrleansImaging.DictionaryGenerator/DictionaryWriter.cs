using System.Globalization;
using System.Text;

namespace OrleansImaging.DictionaryGenerator;

/// <summary>Writes the tag keyword constants and the dictionary tables the runtime parses.</summary>
internal static class DictionaryWriter
{
    /// <summary>
    /// Members DicomTag declares by hand: a generated field of the same name would not compile
    /// (or would hide the hand-written item tags).
    /// </summary>
    private static readonly HashSet<string> ReservedTagMembers =
    [
        "DicomTag", "Value", "Group", "Element", "IsPrivate", "IsPrivateCreator", "PrivateCreatorTag", "IsGroupLength",
        "Parse", "TryParse", "ToJsonKey", "ToString", "Equals", "GetHashCode", "CompareTo", "GetType",
        "Item", "ItemDelimitationItem", "SequenceDelimitationItem",
    ];

    public static string WriteTagKeywords(IReadOnlyList<StandardEntry> standard, string header, TextWriter log)
    {
        var text = new StringBuilder(header);
        text.Append("""
            namespace OrleansImaging.Dicom;

            public readonly partial struct DicomTag
            {
            """).Append('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var first = true;
        foreach (var entry in standard.Where(e => e.Origin.StartsWith("DICOM", StringComparison.Ordinal)).OrderBy(e => e.Tag))
        {
            if (ReservedTagMembers.Contains(entry.Keyword))
            {
                log.WriteLine($"skipped tag keyword {entry.Keyword}: DicomTag already has a member of that name");
                continue;
            }
            if (!seen.Add(entry.Keyword))
                throw new InvalidOperationException($"Keyword {entry.Keyword} appears twice in the standard dictionary.");
            if (!first)
                text.Append('\n');
            first = false;
            text.Append("    /// <summary>").Append(Describe(entry)).Append("</summary>\n");
            // Properties, not static readonly fields: thousands of field initializers make one
            // static constructor that takes >100 ms to JIT on the first use of any DicomTag static.
            text.Append(CultureInfo.InvariantCulture,
                $"    public static DicomTag {entry.Keyword} => new(0x{entry.Group.First:X4}, 0x{entry.Element.First:X4});\n");
        }
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>
    /// The tables as UTF-8 literals, one entry a line: parsing them at start-up takes a fraction
    /// of the time the JIT would need for a method constructing thousands of objects.
    /// </summary>
    public static string WriteDictionaryData(IReadOnlyList<StandardEntry> standard, IReadOnlyList<PrivateEntry> privates, string header)
    {
        var exact = new StringBuilder();
        var ranges = new StringBuilder();
        foreach (var entry in standard.Where(e => !e.IsRange).OrderBy(e => e.Tag))
        {
            exact.Append(CultureInfo.InvariantCulture,
                $"{entry.Tag:X8}\t{Vrs(entry.ValueRepresentations)}\t{entry.ValueMultiplicity}\t{(entry.IsRetired ? "R" : "-")}\t{entry.Keyword}\n");
        }
        foreach (var entry in standard.Where(e => e.IsRange).OrderBy(e => e.Tag).ThenBy(e => e.Group.Last).ThenBy(e => e.Element.Last))
        {
            ranges.Append(CultureInfo.InvariantCulture,
                $"{Range(entry.Group)}\t{Range(entry.Element)}\t{Vrs(entry.ValueRepresentations)}\t{entry.ValueMultiplicity}\t{(entry.IsRetired ? "R" : "-")}\t{entry.Keyword}\n");
        }

        var privateLines = new StringBuilder();
        foreach (var entry in privates
            .OrderBy(e => e.Creator, StringComparer.Ordinal).ThenBy(e => e.Group.First).ThenBy(e => e.Element).ThenBy(e => e.ElementIsLowByte))
        {
            // A two-digit element is the low byte in whichever block (10-FF) the creator holds.
            var element = entry.ElementIsLowByte
                ? new NumberRange((ushort)(0x1000 | entry.Element), (ushort)(0xFF00 | entry.Element), 0x100)
                : new NumberRange(entry.Element, entry.Element, 1);
            privateLines.Append(CultureInfo.InvariantCulture,
                $"{Range(entry.Group)}\t{Range(element)}\t{Vrs(entry.ValueRepresentations)}\t{entry.ValueMultiplicity}\t-\t{entry.Keyword}\t{entry.Creator}\n");
        }

        var text = new StringBuilder(header);
        text.Append("""
            namespace OrleansImaging.Dicom;

            /// <summary>
            /// The data dictionary as text, parsed once by <see cref="DicomDictionary"/>. VRs are
            /// separated by '/', the first being the default; '-' means none (items and delimiters).
            /// </summary>
            internal static class DicomDictionaryData
            {
                /// <summary>Standard single-tag entries, sorted by tag: tag, VRs, VM, retired ('R' or '-'), keyword.</summary>
            """).Append("\n    public static ReadOnlySpan<byte> Exact => \"\"\"\n").Append(exact).Append("\"\"\"u8;\n\n");
        text.Append("""
                /// <summary>
                /// Standard repeating-group and element-range entries: first group, last group, group step,
                /// first element, last element, element step (hexadecimal), VRs, VM, retired, keyword.
                /// </summary>
            """).Append("\n    public static ReadOnlySpan<byte> Ranges => \"\"\"\n").Append(ranges).Append("\"\"\"u8;\n\n");
        text.Append("""
                /// <summary>
                /// Private entries in the layout of <see cref="Ranges"/>, then the private creator. An element
                /// range of step 0100 is an element known by its low byte in any block the creator reserves.
                /// </summary>
            """).Append("\n    public static ReadOnlySpan<byte> Private => \"\"\"\n").Append(privateLines).Append("\"\"\"u8;\n}\n");
        return text.ToString();
    }

    /// <summary>Later lines override earlier ones with the same key, as dcmtk loads them.</summary>
    public static List<StandardEntry> LastWins(IEnumerable<StandardEntry> entries) =>
        entries.GroupBy(e => (e.Group, e.Element)).Select(g => g.Last()).ToList();

    /// <summary>Later lines override earlier ones with the same key, as dcmtk loads them.</summary>
    public static List<PrivateEntry> LastWins(IEnumerable<PrivateEntry> entries) =>
        entries.GroupBy(e => (e.Creator, e.Group, e.Element, e.ElementIsLowByte)).Select(g => g.Last()).ToList();

    private static string Describe(StandardEntry entry)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"({entry.Group.First:X4},{entry.Element.First:X4})"));
        text.Append(" VR ").Append(entry.ValueRepresentations.Length == 0 ? "none" : string.Join(" or ", entry.ValueRepresentations));
        text.Append(", VM ").Append(entry.ValueMultiplicity);
        if (entry.IsRetired)
            text.Append(", retired");
        if (entry.Origin.Contains('/', StringComparison.Ordinal) && !entry.IsRetired)
            text.Append(", ").Append(entry.Origin[(entry.Origin.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        text.Append('.');
        if (entry.IsRange)
        {
            text.Append(" Repeats over (").Append(entry.Group).Append(',').Append(entry.Element).Append(')');
            var steps = new List<string>();
            if (!entry.Group.IsSingle)
                steps.Add(Parity("groups", entry.Group));
            if (!entry.Element.IsSingle)
                steps.Add(Parity("elements", entry.Element));
            text.Append(", ").Append(string.Join(", ", steps)).Append('.');
        }
        return text.ToString();
    }

    private static string Parity(string what, NumberRange range) =>
        range.Step == 1 ? $"all {what}" : (range.First & 1) == 0 ? $"even {what}" : $"odd {what}";

    private static string Vrs(string[] vrs) => vrs.Length == 0 ? "-" : string.Join('/', vrs);

    private static string Range(NumberRange range) =>
        string.Create(CultureInfo.InvariantCulture, $"{range.First:X4}\t{range.Last:X4}\t{range.Step:X4}");
}
