using System.Globalization;
using System.Text.Json.Nodes;

namespace OrleansImaging.Dicom.Tests.Json;

/// <summary>
/// The known differences between dcm2json (dcmtk 3.6.7) and our DICOM JSON, one named rule each,
/// each saying why the difference is dcmtk's choice (or ours) rather than an error. Listed in
/// docs/dicom.md, "DICOM JSON and the dcm2json oracle".
/// </summary>
internal static class Dcm2JsonNormalizations
{
    public static IReadOnlyList<(string Name, AttributeEquivalence Rule)> For(bool usesIso2022MultiByteSets, bool comparedWithModifiedCopy)
    {
        var rules = new List<(string, AttributeEquivalence)>
        {
            (nameof(FloatingPointByValue), FloatingPointByValue),
            (nameof(SpecificCharacterSetRewrittenAsUtf8), SpecificCharacterSetRewrittenAsUtf8),
            (nameof(OddLengthPaddedByDcmtk), OddLengthPaddedByDcmtk),
        };
        if (usesIso2022MultiByteSets)
            rules.Add((nameof(Iso2022TextDcmtkCannotDecode), Iso2022TextDcmtkCannotDecode));
        if (comparedWithModifiedCopy)
            rules.Add((nameof(TrailingPaddingDroppedByDcmodify), TrailingPaddingDroppedByDcmodify));
        return rules;
    }

    /// <summary>
    /// dcmodify never writes Data Set Trailing Padding (FFFC,FFFC), so the copy dcm2json reads when
    /// it refused the original has none; ours, from the original, has it.
    /// </summary>
    public static bool TrailingPaddingDroppedByDcmodify(string tag, JsonObject? dcmtk, JsonObject? ours) =>
        tag == "FFFCFFFC" && dcmtk is null && ours is not null;

    /// <summary>
    /// dcmtk pads a binary value of odd length (invalid, PS3.5 7.1.1) with a NUL when it reads it, so
    /// its InlineBinary has one byte more; we keep the bytes as they are in the file.
    /// </summary>
    public static bool OddLengthPaddedByDcmtk(string tag, JsonObject? dcmtk, JsonObject? ours)
    {
        if ((string?)dcmtk?["InlineBinary"] is not { } theirs || (string?)ours?["InlineBinary"] is not { } mine || (string?)dcmtk["vr"] != (string?)ours["vr"])
            return false;
        var a = Convert.FromBase64String(theirs);
        var b = Convert.FromBase64String(mine);
        return b.Length % 2 == 1 && a.Length == b.Length + 1 && a[^1] == 0 && a.AsSpan(0, b.Length).SequenceEqual(b);
    }

    /// <summary>
    /// dcm2json prints FL with 9 and FD with 17 significant digits (printf %.9g / %.17g); we print
    /// the shortest text that reads back as the same float or double. Both denote the same binary
    /// value, so FL values are equal when they parse to the same float and FD to the same double.
    /// </summary>
    public static bool FloatingPointByValue(string tag, JsonObject? dcmtk, JsonObject? ours)
    {
        if (dcmtk is null || ours is null || (string?)dcmtk["vr"] != (string?)ours["vr"] || (string?)dcmtk["vr"] is not ("FL" or "FD"))
            return false;
        if (dcmtk["Value"] is not JsonArray theirs || ours["Value"] is not JsonArray mine || theirs.Count != mine.Count)
            return false;
        var single = (string?)dcmtk["vr"] == "FL";
        for (var i = 0; i < theirs.Count; i++)
        {
            if (theirs[i] is not JsonValue a || mine[i] is not JsonValue b)
                return false;
            var x = double.Parse(a.ToJsonString(), CultureInfo.InvariantCulture);
            var y = double.Parse(b.ToJsonString(), CultureInfo.InvariantCulture);
            if (single ? (float)x != (float)y : x != y)
                return false;
        }
        return true;
    }

    /// <summary>
    /// dcm2json converts all text to UTF-8 and replaces Specific Character Set (0008,0005) with
    /// "ISO_IR 192" to match. We keep the attribute as it is in the data set (JSON text is Unicode
    /// either way; the original value lets a JSON round trip give back the original encoding).
    /// </summary>
    public static bool SpecificCharacterSetRewrittenAsUtf8(string tag, JsonObject? dcmtk, JsonObject? ours) =>
        tag == "00080005" && ours is not null
        && dcmtk?["Value"] is JsonArray { Count: 1 } values && (string?)values[0] == "ISO_IR 192";

    /// <summary>
    /// Debian's dcmtk cannot decode ISO 2022 IR 87/159 (its iconv lacks them), so the oracle reads a
    /// copy whose Specific Character Set says ISO_IR 100: dcmtk then shows escape sequences and
    /// 8-bit bytes as Latin-1. And dcmtk decodes an item with its own Specific Character Set with the
    /// top level's (chrSQEncoding.dcm), giving U+FFFD. In files with these sets, such values must be fully decoded on our side (no escape, no U+FFFD)
    /// with the same number of values; what they decode to is checked against
    /// charset_files/FileInfo.txt by <see cref="JapaneseExpectations"/>.
    /// </summary>
    public static bool Iso2022TextDcmtkCannotDecode(string tag, JsonObject? dcmtk, JsonObject? ours)
    {
        if (dcmtk is null || ours is null || (string?)dcmtk["vr"] != (string?)ours["vr"])
            return false;
        if (dcmtk["Value"] is not JsonArray theirs || ours["Value"] is not JsonArray mine || theirs.Count != mine.Count)
            return false;
        var theirText = theirs.ToJsonString();
        var hasUndecoded = theirs.Any(v => Texts(v).Any(t => t.Any(c => c == '\u001B' || c >= '\u0080')));
        var ourTexts = mine.SelectMany(Texts).ToList();
        return hasUndecoded && theirText.Length > 0 && ourTexts.All(t => !t.Contains('\u001B') && !t.Contains('\uFFFD'));
    }

    private static IEnumerable<string> Texts(JsonNode? value) => value switch
    {
        JsonObject name => name.Select(p => (string?)p.Value ?? ""),
        JsonValue text when text.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}
