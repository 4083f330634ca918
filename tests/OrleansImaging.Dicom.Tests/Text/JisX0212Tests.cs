using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom.Tests.Text;

/// <summary>
/// ISO 2022 IR 159 (JIS X 0212) through the generated table. Expected characters and bytes
/// come from Python 3.11: bytes([0x8F, row | 0x80, cell | 0x80]).decode('euc_jp') and
/// text.encode('iso2022_jp_2').
/// </summary>
public sealed class JisX0212Tests
{
    private const string R = "\uFFFD";
    private const string JapaneseWithSupplement = "\\ISO 2022 IR 87\\ISO 2022 IR 159";

    [Theory]
    [InlineData(0x30, 0x21, "丂")] // U+4E02, first kanji of the set
    [InlineData(0x30, 0x22, "丄")] // U+4E04
    [InlineData(0x6D, 0x63, "龥")] // U+9FA5, last code of the set
    [InlineData(0x22, 0x2F, "˘")] // U+02D8 BREVE
    [InlineData(0x26, 0x61, "Ά")] // U+0386
    [InlineData(0x29, 0x21, "Æ")] // U+00C6
    [InlineData(0x2A, 0x21, "Á")] // U+00C1
    [InlineData(0x22, 0x37, "~")] // JIS X 0212-1990 TILDE, mapped to U+007E
    public void Decode_KnownPair_ReturnsCharacter(byte row, byte cell, string expected)
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 159");

        Assert.Equal(expected, characterSet.Decode([0x1B, 0x24, 0x28, 0x44, row, cell, 0x1B, 0x28, 0x42], DicomVR.LO));
    }

    [Theory]
    [InlineData(0x21, 0x21)] // row 0x21 is empty in JIS X 0212
    [InlineData(0x22, 0x21)]
    [InlineData(0x6D, 0x64)] // just after the last code
    [InlineData(0x7E, 0x7E)]
    public void Decode_UnmappedPair_ReturnsReplacement(byte row, byte cell)
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 159");

        Assert.Equal(R + "A", characterSet.Decode([0x1B, 0x24, 0x28, 0x44, row, cell, 0x1B, 0x28, 0x42, 0x41], DicomVR.LO));
    }

    [Fact]
    public void Table_HasEveryCodeTheGeneratorFound()
    {
        // tools/generate-jisx0212.py found 6067 of the 94 × 94 codes (the size of JIS X 0212-1990).
        var table = JisX0212.Table;
        var mapped = 0;
        foreach (var c in table)
        {
            if (c != '\0')
                mapped++;
        }

        Assert.Equal(94 * 94, table.Length);
        Assert.Equal(6067, JisX0212.MappedCount);
        Assert.Equal(6067, mapped);
    }

    [Fact]
    public void GraphicSet_EveryMappedCode_RoundTrips()
    {
        var set = GraphicSet.JisX0212;
        Span<byte> code = stackalloc byte[2];
        var decoded = 0;
        for (var row = 0x21; row <= 0x7E; row++)
        {
            for (var cell = 0x21; cell <= 0x7E; cell++)
            {
                var c = set.DecodePair((byte)(row | 0x80), (byte)(cell | 0x80));
                if (c == '\uFFFD')
                    continue;
                decoded++;
                if (c < 0x80)
                {
                    // 0x2237 TILDE: ASCII characters always stay single-byte.
                    Assert.Equal(0, set.TryEncode(c, code));
                    continue;
                }
                Assert.Equal(2, set.TryEncode(c, code));
                Assert.Equal([(byte)row, (byte)cell], code.ToArray());
            }
        }

        Assert.Equal(6067, decoded);
    }

    [Fact]
    public void Table_SharesOnlyNumeroSignWithDotNetJisX0208()
    {
        // Standard JIS X 0208 and JIS X 0212 share no character, so the order of IR 87 and IR 159
        // decides nothing, except for one: code page 20932 adds NEC row 13, which has № (U+2116)
        // at 0x2D62. IR 87 is tried first and wins it; Python's iso2022_jp_2 writes 0x2271 of
        // JIS X 0212 instead, since its JIS X 0208 has no row 13.
        Span<byte> code = stackalloc byte[2];
        var shared = new List<string>();
        foreach (var c in JisX0212.Table)
        {
            if (c >= 0x80 && GraphicSet.JisX0208.TryEncode(c, code) != 0)
                shared.Add($"U+{(int)c:X4}->{code[0]:X2}{code[1]:X2}");
        }
        Assert.Equal(["U+2116->2D62"], shared);
    }

    public static TheoryData<string, DicomVR, byte[]> Python2022Jp2Values => new()
    {
        // JIS X 0208 is tried first; 丂 is only in JIS X 0212, so the encoder switches G0 to it.
        {
            "Yamada^Tarou=山田丂^太郎=やまだ^たろう", DicomVR.PN,
            [
                0x59, 0x61, 0x6D, 0x61, 0x64, 0x61, 0x5E, 0x54, 0x61, 0x72, 0x6F, 0x75, 0x3D,
                0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42, 0x5E,
                0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42, 0x3D,
                0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28, 0x42, 0x5E,
                0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42,
            ]
        },
        // Space and value delimiter return G0 to ASCII.
        { "丂 丄", DicomVR.LO, [0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42, 0x20, 0x1B, 0x24, 0x28, 0x44, 0x30, 0x22, 0x1B, 0x28, 0x42] },
        { "丂\\丄", DicomVR.LO, [0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42, 0x5C, 0x1B, 0x24, 0x28, 0x44, 0x30, 0x22, 0x1B, 0x28, 0x42] },
        { "龥", DicomVR.LO, [0x1B, 0x24, 0x28, 0x44, 0x6D, 0x63, 0x1B, 0x28, 0x42] },
        // '~' stays ASCII (Python agrees), though JIS X 0212 has TILDE at 0x2237.
        { "丂~", DicomVR.LO, [0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42, 0x7E] },
    };

    [Theory]
    [MemberData(nameof(Python2022Jp2Values))]
    public void Encode_MixedJisX0208AndJisX0212_MatchesPythonIso2022Jp2(string text, DicomVR vr, byte[] expected)
    {
        Assert.Equal(expected, DicomCharacterSet.Parse(JapaneseWithSupplement).Encode(text, vr));
    }

    [Theory]
    [MemberData(nameof(Python2022Jp2Values))]
    public void Decode_MixedJisX0208AndJisX0212_ReturnsText(string text, DicomVR vr, byte[] raw)
    {
        Assert.Equal(text, DicomCharacterSet.Parse(JapaneseWithSupplement).Decode(raw, vr));
    }

    [Fact]
    public void EncodeThenDecode_LatinLettersOnlyInJisX0212_RoundTrip()
    {
        // Á and Æ are in JIS X 0212 but not JIS X 0208 (Python's iso2022_jp_2 would use ISO 8859-1 in G2 instead).
        var characterSet = DicomCharacterSet.Parse(JapaneseWithSupplement);

        var encoded = characterSet.Encode("山Á^Æ", DicomVR.PN);

        Assert.Equal(
            [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x1B, 0x24, 0x28, 0x44, 0x2A, 0x21, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x28, 0x44, 0x29, 0x21, 0x1B, 0x28, 0x42],
            encoded);
        Assert.Equal("山Á^Æ", characterSet.Decode(encoded, DicomVR.PN));
    }

    [Fact]
    public void Encode_SupplementDeclaredFirst_StillUsesFirstDeclaredSetThatHasTheCharacter()
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 159\\ISO 2022 IR 87");

        // 山 is only in JIS X 0208, 丂 only in JIS X 0212.
        Assert.Equal(
            [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x1B, 0x28, 0x42],
            characterSet.Encode("山丂", DicomVR.LO));
    }

    [Theory]
    [InlineData("\\ISO 2022 IR 87", "丂")] // JIS X 0212 not declared
    [InlineData("\\ISO 2022 IR 159", "山")] // JIS X 0208 not declared
    public void Encode_SetNotDeclared_ThrowsDicomException(string specificCharacterSet, string text)
    {
        Assert.Throws<DicomException>(() => DicomCharacterSet.Parse(specificCharacterSet).Encode(text, DicomVR.LO));
    }

    [Fact]
    public void Decode_JisX0212Value_AllocatesOnlyTheResult()
    {
        var characterSet = DicomCharacterSet.Parse(JapaneseWithSupplement);
        byte[] raw = [0x1B, 0x24, 0x28, 0x44, 0x30, 0x21, 0x30, 0x22, 0x1B, 0x28, 0x42];
        _ = characterSet.Decode(raw, DicomVR.LO);
        _ = new string('x', 2);

        var before = GC.GetAllocatedBytesForCurrentThread();
        _ = characterSet.Decode(raw, DicomVR.LO);
        var decodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        _ = new string('x', 2);
        var stringBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(stringBytes, decodeBytes);
    }
}
