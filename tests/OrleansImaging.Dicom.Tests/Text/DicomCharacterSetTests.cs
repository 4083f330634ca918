using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Dicom.Tests.Text;

public sealed class DicomCharacterSetTests
{
    private const string R = "\uFFFD";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("\0")]
    public void Parse_AbsentOrEmpty_ReturnsDefault(string? value)
    {
        Assert.Same(DicomCharacterSet.Default, DicomCharacterSet.Parse(value));
        Assert.Empty(DicomCharacterSet.Default.Terms);
        Assert.True(DicomCharacterSet.Default.IsKnown);
    }

    [Fact]
    public void Parse_EmptyFirstValueAndPadding_KeepsTrimmedTerms()
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 87 ");

        Assert.Equal(["", "ISO 2022 IR 87"], characterSet.Terms);
        Assert.True(characterSet.IsKnown);
        Assert.Empty(characterSet.UnknownTerms);
        Assert.Equal("\\ISO 2022 IR 87", characterSet.ToString());
    }

    [Theory]
    [InlineData("ISO-IR 100")]
    [InlineData("ISO_IR_100")]
    [InlineData("iso_ir 100")]
    public void Parse_SeparatorVariants_AreKnown(string value)
    {
        var characterSet = DicomCharacterSet.Parse(value);

        Assert.True(characterSet.IsKnown);
        Assert.Equal("Jérôme", characterSet.Decode([0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65], DicomVR.PN));
    }

    [Fact]
    public void Parse_UnknownTerm_ReportsIt()
    {
        var characterSet = DicomCharacterSet.Parse("ISO_IR 999\\GB18030");

        Assert.False(characterSet.IsKnown);
        Assert.Equal(["ISO_IR 999"], characterSet.UnknownTerms);
        Assert.Equal(["ISO_IR 999", "GB18030"], characterSet.Terms);
    }

    [Fact]
    public void Decode_UnknownTerm_KeepsAsciiAndReplacesOtherBytes()
    {
        var characterSet = DicomCharacterSet.Parse("ISO_IR 999");

        Assert.Equal("Wang^" + R + R + "=" + R, characterSet.Decode([0x57, 0x61, 0x6E, 0x67, 0x5E, 0xCD, 0xF5, 0x3D, 0xE9], DicomVR.PN));
        Assert.Equal("Wang^X", characterSet.Decode("Wang^X"u8, DicomVR.PN));
    }

    [Fact]
    public void Encode_UnknownTermWithNonAscii_Throws()
    {
        var characterSet = DicomCharacterSet.Parse("ISO_IR 999");

        Assert.Equal("Wang"u8.ToArray(), characterSet.Encode("Wang", DicomVR.PN));
        Assert.Throws<DicomException>(() => characterSet.Encode("王", DicomVR.PN));
    }

    [Fact]
    public void Decode_DefaultWithNonAsciiBytes_ReplacesThem()
    {
        Assert.Equal("J" + R + "r" + R + "me", DicomCharacterSet.Default.Decode([0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65], DicomVR.PN));
    }

    [Fact]
    public void Decode_Empty_ReturnsEmptyString()
    {
        Assert.Same(string.Empty, DicomCharacterSet.Parse("GB18030").Decode([], DicomVR.PN));
    }

    public static TheoryData<string, byte[], string> ChineseValues => new()
    {
        // 王小东 in GB 18030 and GBK (the same two-byte codes as GB 2312).
        { "GB18030", [0xCD, 0xF5, 0x5E, 0xD0, 0xA1, 0xB6, 0xAB], "王^小东" },
        { "GBK", [0xCD, 0xF5, 0x5E, 0xD0, 0xA1, 0xB6, 0xAB], "王^小东" },
        // A four-byte GB 18030 code: U+20000 (CJK Extension B).
        { "GB18030", [0x95, 0x32, 0x82, 0x36, 0xCD, 0xF5], "\U00020000王" },
        // 镕 (as in 朱镕基) is a GBK extension code: its trail byte 0x46 is outside GB 2312.
        { "GBK", [0xD6, 0xEC, 0xE9, 0x46, 0xBB, 0xF9], "朱镕基" },
        // 乗 has trail byte 0x5C, the value delimiter: decoding the whole value keeps it whole.
        { "GBK", [0x81, 0x5C, 0x5C, 0x41], "乗\\A" },
        { "ISO_IR 192", [0xE7, 0x8E, 0x8B, 0xE5, 0xB0, 0x8F, 0xE4, 0xB8, 0x9C, 0xF0, 0xA0, 0x80, 0x80], "王小东\U00020000" },
        // GB 2312 in G1 after ESC $ ) A; G1 is reset at '^' so the escape is repeated.
        { "\\ISO 2022 IR 58", [0x57, 0x61, 0x6E, 0x67, 0x3D, 0x1B, 0x24, 0x29, 0x41, 0xCD, 0xF5, 0x5E, 0x1B, 0x24, 0x29, 0x41, 0xD0, 0xA1, 0xB6, 0xAB], "Wang=王^小东" },
        { "ISO 2022 IR 6\\ISO 2022 IR 58", [0x1B, 0x24, 0x29, 0x41, 0xCD, 0xF5, 0xD0, 0xA1, 0xB6, 0xAB], "王小东" },
        // Chinese devices write these non-standard terms for GB 2312 bytes without escapes.
        { "GB2312", [0xCD, 0xF5, 0xD0, 0xA1, 0xB6, 0xAB], "王小东" },
        { "ISO_IR 58", [0xCD, 0xF5, 0xD0, 0xA1, 0xB6, 0xAB], "王小东" },
    };

    [Theory]
    [MemberData(nameof(ChineseValues))]
    public void Decode_ChineseName_ReturnsText(string specificCharacterSet, byte[] raw, string expected)
    {
        Assert.Equal(expected, DicomCharacterSet.Parse(specificCharacterSet).Decode(raw, DicomVR.PN));
    }

    [Theory]
    [MemberData(nameof(ChineseValues))]
    public void Encode_ChineseName_ReturnsRawBytes(string specificCharacterSet, byte[] raw, string text)
    {
        Assert.Equal(raw, DicomCharacterSet.Parse(specificCharacterSet).Encode(text, DicomVR.PN));
    }

    public static TheoryData<string, byte[], string> MalformedValues => new()
    {
        // Truncated escape sequence at the end of the value.
        { "\\ISO 2022 IR 87", [0x41, 0x1B, 0x24], "A" + R },
        // Truncated escape sequence followed by text: the breaking byte is decoded on its own.
        { "\\ISO 2022 IR 87", [0x1B, 0x24, 0x0D, 0x41], R + "\rA" },
        // An escape sequence for no DICOM set: replaced, the sets stay as they were.
        { "\\ISO 2022 IR 87", [0x1B, 0x28, 0x5A, 0x41], R + "A" },
        // Odd trailing byte of a two-byte G0 set.
        { "\\ISO 2022 IR 87", [0x1B, 0x24, 0x42, 0x24, 0x64, 0x24], "や" + R },
        // A two-byte G0 code broken by CR: CR is read as itself and resets G0 to ASCII.
        { "\\ISO 2022 IR 87", [0x1B, 0x24, 0x42, 0x24, 0x0D, 0x24, 0x64], R + "\r$d" },
        // Odd trailing byte of a two-byte G1 set.
        { "\\ISO 2022 IR 149", [0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0xC8], "김" + R },
        // G1 byte while no G1 set is designated.
        { "\\ISO 2022 IR 87", [0x41, 0xE9], "A" + R },
        // A JIS X 0212 code with no character (row 0x21 is empty): one U+FFFD per two-byte code.
        { "\\ISO 2022 IR 159", [0x1B, 0x24, 0x28, 0x44, 0x21, 0x21, 0x1B, 0x28, 0x42, 0x41], R + "A" },
        // Truncated GB 18030 and UTF-8 sequences.
        { "GB18030", [0xCD, 0xF5, 0xD0], "王" + R },
        { "ISO_IR 192", [0x41, 0xE7, 0x8E], "A" + R },
        // A position ISO 8859-3 leaves empty (the code page has a private-use character there).
        { "ISO_IR 109", [0x41, 0xA5], "A" + R },
        // JIS X 0201 has no character at 0xE0.
        { "ISO_IR 13", [0xB1, 0xE0], "ｱ" + R },
    };

    [Theory]
    [MemberData(nameof(MalformedValues))]
    public void Decode_MalformedValue_ReplacesWithoutThrowing(string specificCharacterSet, byte[] raw, string expected)
    {
        Assert.Equal(expected, DicomCharacterSet.Parse(specificCharacterSet).Decode(raw, DicomVR.PN));
    }

    [Fact]
    public void Decode_EscapeToUndeclaredSet_HonorsTheEscape()
    {
        // The escape sequence names KS X 1001 unambiguously; decoding it beats replacing it.
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 87");

        Assert.Equal("김", characterSet.Decode([0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8], DicomVR.PN));
    }

    [Fact]
    public void Decode_PersonNameDelimiterInNonPersonName_DoesNotResetSets()
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 149");
        byte[] raw = [0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0x5E, 0xB1, 0xE8];

        Assert.Equal("김^김", characterSet.Decode(raw, DicomVR.LO));
        Assert.Equal("김^" + R + R, characterSet.Decode(raw, DicomVR.PN));
    }

    [Fact]
    public void Decode_ValueDelimiter_ResetsSetsForEveryVR()
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 149");

        Assert.Equal("김\\" + R + R, characterSet.Decode([0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE8, 0x5C, 0xB1, 0xE8], DicomVR.LO));
    }

    [Fact]
    public void Decode_CodeStringWithDeclaredSet_UsesTheSet()
    {
        // Non-conformant but common: Chinese in a CS value such as Body Part Examined.
        Assert.Equal("胸部", DicomCharacterSet.Parse("GB18030").Decode([0xD0, 0xD8, 0xB2, 0xBF], DicomVR.CS));
    }

    public static TheoryData<string, string, DicomVR> RoundTrips => new()
    {
        { "ISO_IR 100", "Buc^Jérôme", DicomVR.PN },
        { "ISO_IR 101", "Dvořák^Čeněk", DicomVR.PN },
        { "ISO_IR 109", "Ĝis^Ŝanĝo", DicomVR.PN },
        { "ISO_IR 110", "Ģirts^Ķēniņš", DicomVR.PN },
        { "ISO_IR 144", "Люксембург", DicomVR.PN },
        { "ISO_IR 127", "قباني^لنزار", DicomVR.PN },
        { "ISO_IR 126", "Διονυσιος", DicomVR.PN },
        { "ISO_IR 138", "שרון^דבורה", DicomVR.PN },
        { "ISO_IR 148", "Şükrü^Ağaoğlu", DicomVR.PN },
        { "ISO_IR 203", "€uro^Œuvre", DicomVR.PN },
        { "ISO_IR 166", "สมชาย^ใจดี", DicomVR.PN },
        { "ISO_IR 13", "ﾔﾏﾀﾞ^ﾀﾛｳ", DicomVR.PN },
        { "ISO 2022 IR 100", "Buc^Jérôme", DicomVR.PN },
        { "ISO 2022 IR 166", "สมชาย^ใจดี", DicomVR.PN },
        { "ISO 2022 IR 100\\ISO 2022 IR 126\\ISO 2022 IR 144", "Jérôme=Διονυσιος=Люксембург", DicomVR.PN },
        { "ISO 2022 IR 100\\ISO 2022 IR 126", "Jérôme Διονυσιος\\Jérôme\r\nΔιονυσιος", DicomVR.LO },
        { "\\ISO 2022 IR 87", "Yamada^Tarou=山田^太郎=やまだ^たろう", DicomVR.PN },
        { "\\ISO 2022 IR 87", "山田 太郎\r\nやまだ\tたろう", DicomVR.LT },
        { "ISO 2022 IR 13\\ISO 2022 IR 87", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", DicomVR.PN },
        { "\\ISO 2022 IR 149", "Hong^Gildong=洪^吉洞=홍^길동", DicomVR.PN },
        { "\\ISO 2022 IR 58", "Wang^XiaoDong=王^小东", DicomVR.PN },
        { "\\ISO 2022 IR 87\\ISO 2022 IR 149\\ISO 2022 IR 58", "山田=홍=王", DicomVR.PN },
        { "\\ISO 2022 IR 87\\ISO 2022 IR 159", "Yamada^Tarou=山田丂^太郎=やまだ^たろう", DicomVR.PN },
        { "ISO_IR 192", "Wang^XiaoDong=王^小東=\U00020000", DicomVR.PN },
        { "GB18030", "Wang^XiaoDong=王^小东=\U00020000", DicomVR.PN },
        { "GBK", "Wang^XiaoDong=王^小东=朱镕基", DicomVR.PN },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void EncodeThenDecode_SupportedSet_ReturnsOriginalText(string specificCharacterSet, string text, DicomVR vr)
    {
        var characterSet = DicomCharacterSet.Parse(specificCharacterSet);

        Assert.Equal(text, characterSet.Decode(characterSet.Encode(text, vr), vr));
    }

    [Fact]
    public void Encode_Iso2022Japanese_ReturnsToAsciiBeforeDelimitersAndAtEnd()
    {
        var encoded = DicomCharacterSet.Parse("\\ISO 2022 IR 87").Encode("山田^太郎", DicomVR.PN);

        Assert.Equal(
            [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B, 0x28, 0x42],
            encoded);
    }

    [Fact]
    public void Encode_Iso2022SingleByteSets_SwitchesG1()
    {
        var encoded = DicomCharacterSet.Parse("ISO 2022 IR 100\\ISO 2022 IR 126").Encode("éΔé", DicomVR.LO);

        // é is in the initial G1 (Latin-1); Δ needs ESC - F; G1 returns to Latin-1 at the end.
        Assert.Equal([0xE9, 0x1B, 0x2D, 0x46, 0xC4, 0x1B, 0x2D, 0x41, 0xE9], encoded);
    }

    [Theory]
    [InlineData("ISO_IR 100", "王")]
    [InlineData("\\ISO 2022 IR 87", "홍")]
    [InlineData("\\ISO 2022 IR 87", "\U00020000")]
    [InlineData("GBK", "\U00020000")]
    [InlineData("", "é")]
    public void Encode_CharacterOutsideSet_ThrowsDicomException(string specificCharacterSet, string text)
    {
        Assert.Throws<DicomException>(() => DicomCharacterSet.Parse(specificCharacterSet).Encode(text, DicomVR.PN));
    }

    [Fact]
    public void Encode_Utf8WithLoneSurrogate_ThrowsDicomException()
    {
        // Not an InlineData: attribute strings are stored as UTF-8, which cannot hold a lone surrogate.
        var text = "A" + (char)0xD800;

        Assert.Throws<DicomException>(() => DicomCharacterSet.Parse("ISO_IR 192").Encode(text, DicomVR.PN));
    }

    [Fact]
    public void Decode_AsciiValue_AllocatesOnlyTheResult()
    {
        var characterSet = DicomCharacterSet.Parse("\\ISO 2022 IR 87");
        var raw = "Doe^John^^^"u8.ToArray();
        _ = characterSet.Decode(raw, DicomVR.PN);
        _ = new string('x', raw.Length);

        var before = GC.GetAllocatedBytesForCurrentThread();
        _ = characterSet.Decode(raw, DicomVR.PN);
        var decodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        _ = new string('x', raw.Length);
        var stringBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(stringBytes, decodeBytes);
    }

    [Fact]
    public void Decode_SingleByteValue_AllocatesOnlyTheResult()
    {
        var characterSet = DicomCharacterSet.Parse("ISO_IR 100");
        byte[] raw = [0x42, 0x75, 0x63, 0x5E, 0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65];
        _ = characterSet.Decode(raw, DicomVR.PN);
        _ = new string('x', raw.Length);

        var before = GC.GetAllocatedBytesForCurrentThread();
        _ = characterSet.Decode(raw, DicomVR.PN);
        var decodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        _ = new string('x', raw.Length);
        var stringBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(stringBytes, decodeBytes);
    }
}
