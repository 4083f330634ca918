namespace OrleansImaging.Dicom;

/// <summary>
/// A value representation (PS3.5 6.2). The numeric value of each member is its two ASCII
/// characters packed big-endian, so reading a VR from the wire is a single 16-bit load.
/// <see cref="None"/> stands for "not known" (implicit VR data with no dictionary entry).
/// </summary>
public enum DicomVR : ushort
{
    /// <summary>No VR known.</summary>
    None = 0,
    /// <summary>Application Entity.</summary>
    AE = ('A' << 8) | 'E',
    /// <summary>Age String.</summary>
    AS = ('A' << 8) | 'S',
    /// <summary>Attribute Tag.</summary>
    AT = ('A' << 8) | 'T',
    /// <summary>Code String.</summary>
    CS = ('C' << 8) | 'S',
    /// <summary>Date.</summary>
    DA = ('D' << 8) | 'A',
    /// <summary>Decimal String.</summary>
    DS = ('D' << 8) | 'S',
    /// <summary>Date Time.</summary>
    DT = ('D' << 8) | 'T',
    /// <summary>Floating Point Single.</summary>
    FL = ('F' << 8) | 'L',
    /// <summary>Floating Point Double.</summary>
    FD = ('F' << 8) | 'D',
    /// <summary>Integer String.</summary>
    IS = ('I' << 8) | 'S',
    /// <summary>Long String.</summary>
    LO = ('L' << 8) | 'O',
    /// <summary>Long Text.</summary>
    LT = ('L' << 8) | 'T',
    /// <summary>Other Byte.</summary>
    OB = ('O' << 8) | 'B',
    /// <summary>Other Double.</summary>
    OD = ('O' << 8) | 'D',
    /// <summary>Other Float.</summary>
    OF = ('O' << 8) | 'F',
    /// <summary>Other Long.</summary>
    OL = ('O' << 8) | 'L',
    /// <summary>Other 64-bit Very Long.</summary>
    OV = ('O' << 8) | 'V',
    /// <summary>Other Word.</summary>
    OW = ('O' << 8) | 'W',
    /// <summary>Person Name.</summary>
    PN = ('P' << 8) | 'N',
    /// <summary>Short String.</summary>
    SH = ('S' << 8) | 'H',
    /// <summary>Signed Long.</summary>
    SL = ('S' << 8) | 'L',
    /// <summary>Sequence of Items.</summary>
    SQ = ('S' << 8) | 'Q',
    /// <summary>Signed Short.</summary>
    SS = ('S' << 8) | 'S',
    /// <summary>Short Text.</summary>
    ST = ('S' << 8) | 'T',
    /// <summary>Signed 64-bit Very Long.</summary>
    SV = ('S' << 8) | 'V',
    /// <summary>Time.</summary>
    TM = ('T' << 8) | 'M',
    /// <summary>Unlimited Characters.</summary>
    UC = ('U' << 8) | 'C',
    /// <summary>Unique Identifier.</summary>
    UI = ('U' << 8) | 'I',
    /// <summary>Unsigned Long.</summary>
    UL = ('U' << 8) | 'L',
    /// <summary>Unknown.</summary>
    UN = ('U' << 8) | 'N',
    /// <summary>Universal Resource Identifier or Locator.</summary>
    UR = ('U' << 8) | 'R',
    /// <summary>Unsigned Short.</summary>
    US = ('U' << 8) | 'S',
    /// <summary>Unlimited Text.</summary>
    UT = ('U' << 8) | 'T',
    /// <summary>Unsigned 64-bit Very Long.</summary>
    UV = ('U' << 8) | 'V',
}

/// <summary>Facts about value representations that encoding and decoding depend on.</summary>
public static class DicomVRExtensions
{
    /// <summary>True when <paramref name="code"/> is one of the VRs of the current standard.</summary>
    public static bool IsKnown(this DicomVR code) => code switch
    {
        DicomVR.AE or DicomVR.AS or DicomVR.AT or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT
            or DicomVR.FL or DicomVR.FD or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.OB or DicomVR.OD
            or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.PN or DicomVR.SH or DicomVR.SL
            or DicomVR.SQ or DicomVR.SS or DicomVR.ST or DicomVR.SV or DicomVR.TM or DicomVR.UC or DicomVR.UI
            or DicomVR.UL or DicomVR.UN or DicomVR.UR or DicomVR.US or DicomVR.UT or DicomVR.UV => true,
        _ => false,
    };

    /// <summary>
    /// True for the VRs whose explicit-VR header has two reserved bytes and a 32-bit length
    /// (PS3.5 7.1.2, Table 7.1-1).
    /// </summary>
    public static bool HasLongExplicitLength(this DicomVR vr) => vr switch
    {
        DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.SQ
            or DicomVR.SV or DicomVR.UC or DicomVR.UN or DicomVR.UR or DicomVR.UT or DicomVR.UV => true,
        _ => false,
    };

    /// <summary>True for character-string VRs, whose values are text in some character set.</summary>
    public static bool IsString(this DicomVR vr) => vr switch
    {
        DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS or DicomVR.DT or DicomVR.IS
            or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM or DicomVR.UC
            or DicomVR.UI or DicomVR.UR or DicomVR.UT => true,
        _ => false,
    };

    /// <summary>
    /// True for string VRs whose values are decoded with the Specific Character Set
    /// (the others are restricted to the default repertoire).
    /// </summary>
    public static bool UsesSpecificCharacterSet(this DicomVR vr) => vr switch
    {
        DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.UC or DicomVR.UT => true,
        _ => false,
    };

    /// <summary>True for string VRs that hold several values separated by backslashes.</summary>
    public static bool IsMultiValuedString(this DicomVR vr) =>
        vr.IsString() && vr is not (DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR);

    /// <summary>
    /// The size in bytes of one binary value (2 for US/SS/OW/AT-halves, 4 for UL/SL/FL/OF/OL/AT,
    /// 8 for FD/OD/SV/UV/OV), or 0 for VRs that are not fixed-size binary numbers.
    /// </summary>
    public static int BinaryValueSize(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL or DicomVR.AT => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        _ => 0,
    };

    /// <summary>
    /// The unit whose byte order flips between little and big endian: 2 for 16-bit data
    /// (including AT, which is two 16-bit numbers), 4, 8, or 1 where nothing is swapped.
    /// </summary>
    public static int SwapUnit(this DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS or DicomVR.OW or DicomVR.AT => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
        DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
        _ => 1,
    };

    /// <summary>The byte that pads a value to even length: a space for text, NUL for UI and binary.</summary>
    public static byte PaddingByte(this DicomVR vr) => vr.IsString() && vr != DicomVR.UI ? (byte)' ' : (byte)0;

    /// <summary>The two-letter code, e.g. "PN"; "??" for <see cref="DicomVR.None"/>.</summary>
    public static string Code(this DicomVR vr) => vr == DicomVR.None
        ? "??"
        : string.Create(2, (ushort)vr, static (s, v) => { s[0] = (char)(v >> 8); s[1] = (char)(v & 0xFF); });

    /// <summary>Parses a two-letter code; <see cref="DicomVR.None"/> when it is not a known VR.</summary>
    public static DicomVR ParseVR(ReadOnlySpan<char> code)
    {
        if (code.Length != 2 || code[0] > 0x7F || code[1] > 0x7F)
            return DicomVR.None;
        var vr = (DicomVR)(ushort)((code[0] << 8) | code[1]);
        return vr.IsKnown() ? vr : DicomVR.None;
    }

    /// <summary>Reads a VR from its two wire bytes; <see cref="DicomVR.None"/> when not a known VR.</summary>
    public static DicomVR FromBytes(byte first, byte second)
    {
        var vr = (DicomVR)(ushort)((first << 8) | second);
        return vr.IsKnown() ? vr : DicomVR.None;
    }
}
