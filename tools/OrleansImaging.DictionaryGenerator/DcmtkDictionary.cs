namespace OrleansImaging.DictionaryGenerator;

/// <summary>A standard entry of dcmtk's dicom.dic.</summary>
internal sealed record StandardEntry(
    NumberRange Group, NumberRange Element, string[] ValueRepresentations, string Keyword,
    string ValueMultiplicity, bool IsRetired, string Origin)
{
    public bool IsRange => !Group.IsSingle || !Element.IsSingle;

    public uint Tag => ((uint)Group.First << 16) | Element.First;
}

/// <summary>
/// An entry of dcmtk's private.dic, keyed by private creator. Element is as written: two digits
/// (<c>ElementIsLowByte</c>: the low byte, valid in any block the creator reserves) or four
/// digits (one specific element, the form a few entries use).
/// </summary>
internal sealed record PrivateEntry(
    string Creator, NumberRange Group, ushort Element, bool ElementIsLowByte, string[] ValueRepresentations,
    string Keyword, string ValueMultiplicity);

/// <summary>Reads dcmtk's tab-separated dictionary files.</summary>
internal static class DcmtkDictionary
{
    /// <summary>Standard entries, in file order (later lines override earlier ones, as in dcmtk).</summary>
    public static List<StandardEntry> ReadStandard(string path)
    {
        var entries = new List<StandardEntry>();
        foreach (var (line, fields) in DataLines(path))
        {
            if (fields.Length != 5)
                throw new FormatException($"Expected 5 tab-separated fields in: {line}");
            var tag = fields[0];
            if (tag.Length < 11 || tag[0] != '(' || tag[^1] != ')' || tag.Contains('"'))
                throw new FormatException($"Not a standard tag in: {line}");
            var halves = tag[1..^1].Split(',');
            if (halves.Length != 2)
                throw new FormatException($"Not a (group,element) tag in: {line}");
            var version = fields[4];
            var keyword = fields[2];
            bool retired = version == "DICOM/retired";
            if (!version.StartsWith("DICOM", StringComparison.Ordinal))
            {
                // GENERIC/ILLEGAL group lengths and creators are dcmtk conventions, not the
                // standard's; the runtime dictionary handles group lengths itself. Only the
                // private creator element (gggg,00xx) LO is kept.
                if (keyword != "PrivateCreator")
                    continue;
            }
            // dcmtk prefixes retired keywords; PS3.6 does not.
            if (keyword.StartsWith("RETIRED_", StringComparison.Ordinal))
                keyword = keyword["RETIRED_".Length..];
            entries.Add(new StandardEntry(
                NumberRange.Parse(halves[0], line), NumberRange.Parse(halves[1], line),
                MapVR(fields[1], line), keyword, fields[3], retired, version));
        }
        return entries;
    }

    /// <summary>Private entries, in file order.</summary>
    public static List<PrivateEntry> ReadPrivate(string path)
    {
        var entries = new List<PrivateEntry>();
        foreach (var (line, fields) in DataLines(path))
        {
            // One line of dcmtk 3.6.7 lacks the trailing version column; the other four suffice.
            if (fields.Length is < 4 or > 5)
                throw new FormatException($"Expected 4 or 5 tab-separated fields in: {line}");
            var tag = fields[0];
            var firstQuote = tag.IndexOf('"', StringComparison.Ordinal);
            var lastQuote = tag.LastIndexOf('"');
            if (tag[0] != '(' || tag[^1] != ')' || firstQuote < 0 || lastQuote <= firstQuote
                || tag[firstQuote - 1] != ',' || tag[lastQuote + 1] != ',')
                throw new FormatException($"Not a private (gggg,\"creator\",ee) tag in: {line}");
            var group = NumberRange.Parse(tag[1..(firstQuote - 1)], line);
            var creator = tag[(firstQuote + 1)..lastQuote];
            var elementText = tag[(lastQuote + 2)..^1].ToUpperInvariant();
            var element = NumberRange.Hex(elementText, line);
            entries.Add(new PrivateEntry(
                creator, group, element, elementText.Length == 2, MapVR(fields[1], line), fields[2], fields[3]));
        }
        return entries;
    }

    /// <summary>The first line of the file's header that names the standard's edition.</summary>
    public static string? Provenance(string path) =>
        File.ReadLines(path).FirstOrDefault(l => l.StartsWith("# Generated automatically from", StringComparison.Ordinal))?[2..];

    /// <summary>
    /// dcmtk's internal VR codes become the VRs the standard allows; the first is the one a
    /// reader assumes when nothing else decides.
    /// </summary>
    private static string[] MapVR(string code, string line) => code switch
    {
        "ox" or "px" => ["OB", "OW"],
        "xs" => ["US", "SS"],
        "lt" => ["US", "SS", "OW"],
        "up" => ["UL"],
        "na" => [],
        _ when KnownVRs.Contains(code) => [code],
        _ => throw new FormatException($"Unknown VR '{code}' in: {line}"),
    };

    private static readonly HashSet<string> KnownVRs =
    [
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
        "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    ];

    private static IEnumerable<(string Line, string[] Fields)> DataLines(string path)
    {
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
                continue;
            yield return (line, line.Split('\t', StringSplitOptions.RemoveEmptyEntries));
        }
    }
}
