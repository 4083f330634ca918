using System.Text.RegularExpressions;

namespace OrleansImaging.DictionaryGenerator;

/// <summary>A registered UID from PS3.6 Annex A, as pydicom's generated table gives it.</summary>
internal sealed record UidEntry(string Value, string Name, string Type, bool IsRetired, string Keyword);

/// <summary>Reads pydicom's <c>_uid_dict.py</c>: one Python dict entry per line.</summary>
internal static partial class UidRegistry
{
    public static List<UidEntry> Read(string path)
    {
        var entries = new List<UidEntry>();
        var inDictionary = false;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("UID_dictionary = {", StringComparison.Ordinal))
            {
                inDictionary = true;
                continue;
            }
            if (!inDictionary)
                continue;
            if (line.StartsWith('}'))
                break;
            var match = EntryPattern().Match(line);
            if (!match.Success)
                throw new FormatException($"Unrecognised UID dictionary line: {line}");
            var retired = match.Groups["retired"].Value switch
            {
                "" => false,
                "Retired" => true,
                var other => throw new FormatException($"Unknown retired marker '{other}' in: {line}"),
            };
            entries.Add(new UidEntry(
                match.Groups["uid"].Value, match.Groups["name"].Value, match.Groups["type"].Value, retired,
                match.Groups["keyword"].Value));
        }
        if (entries.Count == 0)
            throw new FormatException($"No UID_dictionary entries found in {path}.");
        return entries;
    }

    // Entries are ('Name', 'Type', 'Info', 'Retired', 'Keyword'); none of pydicom's strings
    // contain quotes, and the pattern refuses a line if that ever changes.
    [GeneratedRegex(@"^\s*'(?<uid>[0-9.]+)': \('(?<name>[^']*)', '(?<type>[^']*)', '(?<info>[^']*)', '(?<retired>[^']*)', '(?<keyword>[^']*)'\),?\s*(#.*)?$")]
    private static partial Regex EntryPattern();
}
