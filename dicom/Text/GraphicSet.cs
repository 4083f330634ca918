using System.Text;

namespace OrleansImaging.Dicom.Text;

/// <summary>How the bytes of one graphic character set are laid out.</summary>
internal enum GraphicSetKind
{
    /// <summary>One byte per character, looked up in <see cref="GraphicSet.Table"/>.</summary>
    SingleByte,

    /// <summary>
    /// Two bytes per character, decoded by an EUC code page after setting the high bits, or
    /// for JIS X 0212 by the generated <see cref="JisX0212"/> table.
    /// </summary>
    DoubleByte,
}

/// <summary>
/// One graphic character set that ISO 2022 can designate into G0 or G1 (PS3.3 Tables C.12-3
/// and C.12-4), with the escape sequence that designates it and how to turn its bytes into
/// characters.
/// </summary>
internal sealed class GraphicSet
{
    private const char Replacement = '\uFFFD';

    private GraphicSet(string name, bool isG1, byte[] escape, GraphicSetKind kind, char[]? table, Encoding? euc)
    {
        Name = name;
        IsG1 = isG1;
        Escape = escape;
        Kind = kind;
        Table = table;
        Euc = euc;
    }

    /// <summary>A short name for messages, e.g. "JIS X 0208".</summary>
    public string Name { get; }

    /// <summary>True when the set lives in G1 (bytes 0xA0–0xFF), false for G0 (0x21–0x7E).</summary>
    public bool IsG1 { get; }

    /// <summary>The escape sequence that designates the set, starting with ESC.</summary>
    public byte[] Escape { get; }

    /// <summary>Single- or double-byte.</summary>
    public GraphicSetKind Kind { get; }

    /// <summary>
    /// For single-byte sets, the character of each of the 256 byte values (U+FFFD where the set
    /// has none). Bytes below 0x80 are ASCII in every table, see <see cref="JisRoman"/>.
    /// </summary>
    public char[]? Table { get; }

    /// <summary>
    /// For double-byte sets, the EUC code page whose two-byte codes are the set's 7-bit codes
    /// with the high bits set; null for JIS X 0212, which .NET cannot decode and which uses the
    /// generated <see cref="Text.JisX0212"/> table instead.
    /// </summary>
    public Encoding? Euc { get; }

    /// <summary>ISO-IR 6 in G0: ASCII.</summary>
    public static GraphicSet Ascii { get; } = new("ISO-IR 6", false, [0x1B, (byte)'(', (byte)'B'], GraphicSetKind.SingleByte,
        BuildTable(upper: null, c1: false), null);

    /// <summary>
    /// JIS X 0201 Romaji in G0 (ISO-IR 14). It differs from ASCII only at 0x5C (yen sign) and
    /// 0x7E (overline). We decode those as '\' and '~' on purpose: 0x5C is the DICOM value
    /// delimiter in every character set, and a value split by a reader must not depend on the
    /// glyph the Japanese standard draws for it.
    /// </summary>
    public static GraphicSet JisRoman { get; } = new("JIS X 0201 Romaji", false, [0x1B, (byte)'(', (byte)'J'], GraphicSetKind.SingleByte,
        Ascii.Table, null);

    /// <summary>JIS X 0201 Katakana in G1 (ISO-IR 13): half-width katakana at 0xA1–0xDF.</summary>
    public static GraphicSet JisKatakana { get; } = new("JIS X 0201 Katakana", true, [0x1B, (byte)')', (byte)'I'], GraphicSetKind.SingleByte,
        BuildKatakanaTable(), null);

    /// <summary>JIS X 0208 in G0 (ISO-IR 87).</summary>
    public static GraphicSet JisX0208 { get; } = new("JIS X 0208", false, [0x1B, (byte)'$', (byte)'B'], GraphicSetKind.DoubleByte,
        null, CodePages.EucJp);

    /// <summary>
    /// JIS X 0212 in G0 (ISO-IR 159). .NET's EUC-JP code pages (20932, 51932) do not decode the
    /// 0x8F-prefixed JIS X 0212 codes, so this set maps through <see cref="Text.JisX0212"/>.
    /// </summary>
    public static GraphicSet JisX0212 { get; } = new("JIS X 0212", false, [0x1B, (byte)'$', (byte)'(', (byte)'D'], GraphicSetKind.DoubleByte,
        null, null);

    /// <summary>KS X 1001 in G1 (ISO-IR 149): the bytes are EUC-KR.</summary>
    public static GraphicSet KsX1001 { get; } = new("KS X 1001", true, [0x1B, (byte)'$', (byte)')', (byte)'C'], GraphicSetKind.DoubleByte,
        null, CodePages.EucKr);

    /// <summary>GB 2312 in G1 (ISO-IR 58): the bytes are EUC-CN, which code page 936 decodes.</summary>
    public static GraphicSet Gb2312 { get; } = new("GB 2312", true, [0x1B, (byte)'$', (byte)')', (byte)'A'], GraphicSetKind.DoubleByte,
        null, CodePages.Gbk);

    /// <summary>Creates the G1 set for the upper half of an ISO 8859 style code page.</summary>
    public static GraphicSet Upper96(string name, char finalByte, int codePage) =>
        new(name, true, [0x1B, (byte)'-', (byte)finalByte], GraphicSetKind.SingleByte,
            BuildTable(CodePages.Get(codePage), c1: true), null);

    /// <summary>Decodes one character of a single-byte set.</summary>
    public char DecodeByte(byte value) => Table![value];

    /// <summary>
    /// Decodes one two-byte code given in EUC form (both bytes 0xA1–0xFE); U+FFFD when the set
    /// has no character there.
    /// </summary>
    public char DecodePair(byte first, byte second)
    {
        if (Euc is null)
        {
            var c = Text.JisX0212.Decode(first & 0x7F, second & 0x7F);
            return c == '\0' ? Replacement : c;
        }
        ReadOnlySpan<byte> pair = [first, second];
        Span<char> chars = stackalloc char[4];
        var count = Euc.GetChars(pair, chars);
        return count == 1 ? chars[0] : Replacement;
    }

    /// <summary>
    /// Encodes one character into the set's bytes as they go on the wire (7-bit for G0, 8-bit
    /// for G1). Returns the number of bytes written (1 or 2), or 0 when the set lacks it.
    /// </summary>
    public int TryEncode(char c, Span<byte> destination)
    {
        if (c == Replacement)
            return 0;
        if (Kind == GraphicSetKind.SingleByte)
        {
            // G0 single-byte sets hold the printable ASCII range, G1 sets the upper half.
            if (!IsG1)
            {
                if (c is < '!' or > '~')
                    return 0;
                destination[0] = (byte)c;
                return 1;
            }
            var table = Table!;
            for (var b = 0xA0; b <= 0xFF; b++)
            {
                if (table[b] == c)
                {
                    destination[0] = (byte)b;
                    return 1;
                }
            }
            return 0;
        }

        // ASCII stays single-byte even where a double-byte set has it too (JIS X 0212 0x2237 is '~').
        if (c < 0x80)
            return 0;
        if (Euc is null)
        {
            if (!Text.JisX0212.TryEncode(c, out var row, out var cell))
                return 0;
            // The table gives 7-bit codes; a G1 set would carry them with the high bits set.
            var high = IsG1 ? (byte)0x80 : (byte)0;
            destination[0] = (byte)(row | high);
            destination[1] = (byte)(cell | high);
            return 2;
        }
        Span<byte> euc = stackalloc byte[8];
        var count = Euc.GetBytes([c], euc);
        // Only codes inside the 94×94 block are this set's; EUC code pages also produce single
        // bytes, three-byte JIS X 0212 codes, or GBK extension codes for other characters.
        if (count != 2 || euc[0] is < 0xA1 or > 0xFE || euc[1] is < 0xA1 or > 0xFE)
            return 0;
        var mask = IsG1 ? (byte)0xFF : (byte)0x7F;
        destination[0] = (byte)(euc[0] & mask);
        destination[1] = (byte)(euc[1] & mask);
        return 2;
    }

    private static char[] BuildTable(Encoding? upper, bool c1)
    {
        var table = new char[256];
        for (var b = 0; b < 0x80; b++)
            table[b] = (char)b;
        for (var b = 0x80; b < 0xA0; b++)
            table[b] = c1 ? (char)b : Replacement;
        Span<char> decoded = stackalloc char[4];
        for (var b = 0xA0; b <= 0xFF; b++)
        {
            if (upper is null)
            {
                table[b] = Replacement;
                continue;
            }
            var count = upper.GetChars([(byte)b], decoded);
            var c = count == 1 ? decoded[0] : Replacement;
            // The Windows-derived code page tables map positions the ISO standard leaves empty to
            // private-use characters; those are not characters of the set.
            table[b] = c is < '\u00A0' or (>= '\uE000' and <= '\uF8FF') ? Replacement : c;
        }
        return table;
    }

    private static char[] BuildKatakanaTable()
    {
        var table = BuildTable(upper: null, c1: false);
        for (var b = 0xA1; b <= 0xDF; b++)
            table[b] = (char)(0xFF61 + (b - 0xA1)); // HALFWIDTH IDEOGRAPHIC FULL STOP .. SEMI-VOICED SOUND MARK
        return table;
    }
}
