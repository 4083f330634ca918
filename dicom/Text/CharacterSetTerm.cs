using System.Text;

namespace OrleansImaging.Dicom.Text;

/// <summary>
/// What one defined term of Specific Character Set (PS3.3 C.12.1.1.2) stands for: either the
/// graphic sets it puts into G0 and G1 (single-byte sets and the ISO 2022 sets), or an
/// encoding that covers the whole value and admits no code extensions (UTF-8, GB 18030, GBK).
/// </summary>
internal sealed class CharacterSetTerm
{
    private static readonly Dictionary<string, CharacterSetTerm> ByNormalizedName = BuildTerms();

    private CharacterSetTerm(bool isIso2022Form, GraphicSet? g0, GraphicSet? g1, int wholeCodePage)
    {
        IsIso2022Form = isIso2022Form;
        G0 = g0;
        G1 = g1;
        if (wholeCodePage != 0)
        {
            Whole = wholeCodePage == Encoding.UTF8.CodePage ? CodePages.Utf8 : CodePages.Get(wholeCodePage);
            WholeStrict = CodePages.GetStrict(wholeCodePage);
        }
    }

    /// <summary>True for the "ISO 2022 IR n" terms, which allow escape sequences in values.</summary>
    public bool IsIso2022Form { get; }

    /// <summary>The set the term designates into G0, if any.</summary>
    public GraphicSet? G0 { get; }

    /// <summary>The set the term designates into G1, if any.</summary>
    public GraphicSet? G1 { get; }

    /// <summary>For UTF-8, GB 18030 and GBK: the encoding of the whole value (decoding side).</summary>
    public Encoding? Whole { get; }

    /// <summary>The same encoding with an encoder that throws for characters it lacks.</summary>
    public Encoding? WholeStrict { get; }

    /// <summary>Every graphic set an escape sequence may designate, for decoding.</summary>
    public static IReadOnlyList<GraphicSet> AllGraphicSets { get; } = CollectGraphicSets();

    /// <summary>Looks up a term; null when it is not one we know.</summary>
    public static CharacterSetTerm? Find(string term) => ByNormalizedName.GetValueOrDefault(Normalize(term));

    // Writers in the wild vary the separators ("ISO_IR_100", "ISO-IR 100", "iso_ir 100"); the
    // meaning is not in doubt, so these match too. Anything else is unknown.
    private static string Normalize(string term) =>
        term.Trim().Replace('_', ' ').Replace('-', ' ').ToUpperInvariant();

    private static Dictionary<string, CharacterSetTerm> BuildTerms()
    {
        var ascii = new CharacterSetTerm(false, GraphicSet.Ascii, null, 0);
        var terms = new Dictionary<string, CharacterSetTerm>(StringComparer.Ordinal)
        {
            [""] = ascii,
            ["ISO IR 6"] = ascii, // not a defined term, but written for the default repertoire
            ["ISO 2022 IR 6"] = new(true, GraphicSet.Ascii, null, 0),
            ["ISO IR 13"] = new(false, GraphicSet.JisRoman, GraphicSet.JisKatakana, 0),
            ["ISO 2022 IR 13"] = new(true, GraphicSet.JisRoman, GraphicSet.JisKatakana, 0),
            ["ISO 2022 IR 87"] = new(true, GraphicSet.JisX0208, null, 0),
            ["ISO 2022 IR 159"] = new(true, GraphicSet.JisX0212, null, 0),
            ["ISO 2022 IR 149"] = new(true, null, GraphicSet.KsX1001, 0),
            ["ISO 2022 IR 58"] = new(true, null, GraphicSet.Gb2312, 0),
            ["ISO IR 192"] = new(false, null, null, Encoding.UTF8.CodePage),
            ["GB18030"] = new(false, null, null, 54936),
            ["GBK"] = new(false, null, null, 936),
            // Chinese devices write these for GB 2312 bytes without escape sequences; GBK is
            // a superset of GB 2312, so decoding them as GBK loses nothing.
            ["ISO IR 58"] = new(false, null, null, 936),
            ["GB2312"] = new(false, null, null, 936),
        };

        (string Number, char Final, int CodePage, string Name)[] singleByte =
        [
            ("100", 'A', 28591, "Latin alphabet No. 1"),
            ("101", 'B', 28592, "Latin alphabet No. 2"),
            ("109", 'C', 28593, "Latin alphabet No. 3"),
            ("110", 'D', 28594, "Latin alphabet No. 4"),
            ("144", 'L', 28595, "Cyrillic"),
            ("127", 'G', 28596, "Arabic"),
            ("126", 'F', 28597, "Greek"),
            ("138", 'H', 28598, "Hebrew"),
            ("148", 'M', 28599, "Latin alphabet No. 5"),
            ("203", 'b', 28605, "Latin alphabet No. 9"),
            // TIS 620-2533 is ISO 8859-11 without NBSP; windows-874 extends it only in C1,
            // which the table replaces with the C1 controls, so the rest is exactly TIS 620.
            ("166", 'T', 874, "Thai"),
        ];
        foreach (var (number, final, codePage, name) in singleByte)
        {
            var upper = GraphicSet.Upper96(name, final, codePage);
            terms["ISO IR " + number] = new(false, GraphicSet.Ascii, upper, 0);
            terms["ISO 2022 IR " + number] = new(true, GraphicSet.Ascii, upper, 0);
        }
        return terms;
    }

    private static GraphicSet[] CollectGraphicSets()
    {
        var sets = new List<GraphicSet>();
        foreach (var term in ByNormalizedName.Values)
        {
            if (term.G0 is { } g0 && !sets.Contains(g0))
                sets.Add(g0);
            if (term.G1 is { } g1 && !sets.Contains(g1))
                sets.Add(g1);
        }
        return [.. sets];
    }
}
