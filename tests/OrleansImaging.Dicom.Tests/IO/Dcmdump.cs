using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>
/// Runs dcmtk's dcmdump and reduces its output to what must be equal between an original file
/// and our rewrite of it. Each normalization removes a difference the writer makes on purpose;
/// docs/dicom.md ("Writing") lists the same ones:
/// 1. The File Meta Information is dropped: we regenerate it (our Implementation Class UID and
///    Version Name, a recomputed group length), so it differs by design.
/// 2. Group length lines (gggg,0000) are dropped: the writer leaves them out (PS3.5 7.2).
/// 3. The byte length shown for sequences and items of explicit length is masked: it changes when
///    a group length inside is dropped, and we write the true length where the original's was wrong
///    (DICOMDIR-nooffset). Structure and item counts are still compared.
/// 4. In a DICOMDIR, record offsets are replaced by the index of the record they point to: the
///    meta group's length differs, so every record moves, and the writer moves the offsets with
///    them. Comparing indices checks that each offset still points at the same record.
/// Odd-length values need no normalization: dcmdump already shows them padded to even, as we write them.
/// </summary>
internal static partial class Dcmdump
{
    public static async Task<ExternalTool.Result> RunAsync(string path, params string[] options) =>
        await ExternalTool.RunAsync("dcmdump", [.. options, path]);

    /// <summary>True when dcmdump read the file without an error.</summary>
    public static bool ReadCleanly(ExternalTool.Result result) =>
        result.ExitCode == 0 && !result.StandardError.Split('\n').Any(line => line.StartsWith("E:", StringComparison.Ordinal));

    public static List<string> NormalizedDataset(string output)
    {
        var lines = output.Replace("\r", "", StringComparison.Ordinal).Split('\n').ToList();
        var start = lines.FindIndex(line => line.StartsWith("# Dicom-Data-Set", StringComparison.Ordinal));
        if (start > 0)
            lines = lines[start..];
        lines = lines.Where(line => !GroupLength().IsMatch(line)).ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Contains("with explicit length", StringComparison.Ordinal) || ItemWithLength().IsMatch(lines[i]))
                lines[i] = ExplicitLength().Replace(lines[i], "# (length),");
        }
        return NormalizeDirectoryOffsets(lines);
    }

    private static List<string> NormalizeDirectoryOffsets(List<string> lines)
    {
        var records = new Dictionary<string, int>();
        foreach (var line in lines)
        {
            var match = RecordPosition().Match(line);
            if (match.Success)
                records.TryAdd(match.Groups[1].Value, records.Count);
        }
        if (records.Count == 0)
            return lines;
        return lines.Select(line =>
        {
            var position = RecordPosition().Match(line);
            if (position.Success)
                return line.Replace("$" + position.Groups[1].Value, "record " + records[position.Groups[1].Value].ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var offset = OffsetValue().Match(line);
            if (offset.Success && records.TryGetValue(offset.Groups[2].Value, out var index))
                return offset.Groups[1].Value + "record " + index.ToString(CultureInfo.InvariantCulture) + " " + line[(offset.Index + offset.Length)..].TrimStart();
            return line;
        }).ToList();
    }

    [GeneratedRegex(@"^\s*\([0-9a-f]{4},0000\) ")]
    private static partial Regex GroupLength();

    [GeneratedRegex(@"^\s*\(fffe,e000\) .*# +\d+,")]
    private static partial Regex ItemWithLength();

    [GeneratedRegex(@"# +\d+,")]
    private static partial Regex ExplicitLength();

    [GeneratedRegex(@"^\s*#\s+offset=\$(\d+)")]
    private static partial Regex RecordPosition();

    [GeneratedRegex(@"^(\s*\(0004,(?:1200|1202|1400|1420)\) \w\w )(\d+)")]
    private static partial Regex OffsetValue();
}
