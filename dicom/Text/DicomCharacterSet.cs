using System.Text;

namespace OrleansImaging.Dicom.Text;

/// <summary>
/// The character set named by a Specific Character Set (0008,0005) value, decoding and
/// encoding text values with it (PS3.3 C.12.1.1.2, PS3.5 6.1). Supports the default
/// repertoire, the single-byte sets, ISO 2022 code extensions (Japanese, Korean, Chinese
/// GB 2312), UTF-8, GB 18030 and GBK. Instances are immutable and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// The VR passed to <see cref="Decode"/> and <see cref="Encode"/> only decides whether '^'
/// and '=' are delimiters (they are for PN). VRs that the standard restricts to the default
/// repertoire (<see cref="DicomVRExtensions.UsesSpecificCharacterSet"/> is false) are decoded
/// with this character set too: conformant values are ASCII, which every set here decodes
/// the same way, and devices that do put e.g. Chinese into a CS value are read as written.
/// (dcmtk's conversion leaves such values unconverted, passing their bytes through.)
/// </para>
/// <para>
/// A value naming a term we do not know is not guessed at: bytes below 0x80 decode as ASCII
/// and every other byte as U+FFFD, and <see cref="IsKnown"/> is false. This class never
/// changes the stored bytes; keeping them is the caller's business.
/// </para>
/// </remarks>
public sealed class DicomCharacterSet
{
    private const char Replacement = '\uFFFD';

    private readonly Mode _mode;
    private readonly char[] _table = GraphicSet.Ascii.Table!;
    private readonly CharacterSetTerm? _whole;
    private readonly GraphicSet _initialG0 = GraphicSet.Ascii;
    private readonly GraphicSet? _initialG1;
    private readonly GraphicSet[] _candidates = [];

    private DicomCharacterSet(string[] terms)
    {
        Terms = Array.AsReadOnly(terms);
        var resolved = new CharacterSetTerm[terms.Length];
        var unknown = new List<string>();
        for (var i = 0; i < terms.Length; i++)
        {
            if (CharacterSetTerm.Find(terms[i]) is { } term)
                resolved[i] = term;
            else
                unknown.Add(terms[i]);
        }
        UnknownTerms = unknown.AsReadOnly();
        if (terms.Length == 0)
        {
            _mode = Mode.SingleByte;
            return;
        }
        if (unknown.Count > 0)
        {
            _mode = Mode.Unknown;
            return;
        }

        var first = resolved[0];
        if (first.Whole is not null)
        {
            // UTF-8, GB 18030 and GBK admit no code extensions (PS3.3 C.12.1.1.2): later
            // values, which a conformant writer would not add, are ignored.
            _mode = Mode.Whole;
            _whole = first;
        }
        else if (terms.Length == 1 && !first.IsIso2022Form)
        {
            _mode = Mode.SingleByte;
            _table = (first.G1 ?? first.G0!).Table!;
        }
        else
        {
            _mode = Mode.Iso2022;
            // A multi-byte set cannot be the initial G0: delimiters must stay single bytes.
            _initialG0 = first.G0 is { Kind: GraphicSetKind.SingleByte } g0 ? g0 : GraphicSet.Ascii;
            _initialG1 = first.G1;
            var candidates = new List<GraphicSet>();
            foreach (var term in resolved)
            {
                if (term.G0 is { } termG0 && !candidates.Contains(termG0))
                    candidates.Add(termG0);
                if (term.G1 is { } termG1 && !candidates.Contains(termG1))
                    candidates.Add(termG1);
            }
            _candidates = [.. candidates];
        }
    }

    private enum Mode
    {
        SingleByte,
        Iso2022,
        Whole,
        Unknown,
    }

    /// <summary>The default repertoire, ISO-IR 6 (ASCII), used when (0008,0005) is absent or empty.</summary>
    public static DicomCharacterSet Default { get; } = new([]);

    /// <summary>The values of (0008,0005) as given, each trimmed; empty for <see cref="Default"/>.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>False when some term is not one we recognize; see the class remarks for what decoding does then.</summary>
    public bool IsKnown => _mode != Mode.Unknown;

    /// <summary>The terms that were not recognized, in order; empty when <see cref="IsKnown"/>.</summary>
    public IReadOnlyList<string> UnknownTerms { get; }

    /// <summary>
    /// Reads a raw (0008,0005) value: backslash-separated terms, the first possibly empty
    /// (meaning the default repertoire). Never throws; unrecognized terms are reported through
    /// <see cref="IsKnown"/> and <see cref="UnknownTerms"/>.
    /// </summary>
    /// <param name="specificCharacterSet">The value, with or without padding; null when the attribute is absent.</param>
    public static DicomCharacterSet Parse(string? specificCharacterSet)
    {
        var trimmed = specificCharacterSet.AsSpan().Trim(" \0");
        if (trimmed.IsEmpty)
            return Default;
        var terms = trimmed.ToString().Split('\\');
        for (var i = 0; i < terms.Length; i++)
            terms[i] = terms[i].Trim(' ', '\0');
        return new DicomCharacterSet(terms);
    }

    /// <summary>
    /// Decodes a whole raw value, backslashes between values included. Padding is not
    /// removed. Never throws: bytes that are not characters of the set become U+FFFD.
    /// </summary>
    /// <param name="value">The value's bytes as stored.</param>
    /// <param name="vr">The element's VR; for PN, '^' and '=' reset ISO 2022 code extensions.</param>
    public string Decode(ReadOnlySpan<byte> value, DicomVR vr)
    {
        if (value.IsEmpty)
            return string.Empty;
        // The common case: plain ASCII, which every set decodes alike unless it holds escapes.
        if (System.Text.Ascii.IsValid(value) && (_mode != Mode.Iso2022 || !value.Contains((byte)0x1B)))
            return Encoding.ASCII.GetString(value);

        return _mode switch
        {
            Mode.Whole => _whole!.Whole!.GetString(value),
            Mode.Iso2022 => Iso2022.Decode(value, _initialG0, _initialG1, vr == DicomVR.PN),
            // Unknown sets decode through the ASCII table, whose upper half is all U+FFFD.
            _ => string.Create(value.Length, new TableState(value, _mode == Mode.Unknown ? GraphicSet.Ascii.Table! : _table),
                static (chars, state) =>
                {
                    for (var i = 0; i < chars.Length; i++)
                        chars[i] = state.Table[state.Bytes[i]];
                }),
        };
    }

    /// <summary>
    /// Encodes text (a whole value, backslashes included) into the bytes
    /// <see cref="Decode"/> turns back into the same text. Adds no padding.
    /// </summary>
    /// <param name="text">The text to encode.</param>
    /// <param name="vr">The element's VR; for PN, '^' and '=' reset ISO 2022 code extensions.</param>
    /// <exception cref="DicomException">Some character cannot be encoded with this character set.</exception>
    public byte[] Encode(string text, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (System.Text.Ascii.IsValid(text))
            return Encoding.ASCII.GetBytes(text);

        switch (_mode)
        {
            case Mode.Whole:
                try
                {
                    return _whole!.WholeStrict!.GetBytes(text);
                }
                catch (EncoderFallbackException ex)
                {
                    throw new DicomException(
                        $"The text cannot be encoded with Specific Character Set '{this}': {ex.Message}", ex);
                }
            case Mode.Iso2022:
                return Iso2022.Encode(text, _initialG0, _initialG1, _candidates, vr == DicomVR.PN, ToString());
            default:
                return EncodeSingleByte(text);
        }
    }

    /// <summary>The (0008,0005) value this set was parsed from, terms joined by backslashes.</summary>
    public override string ToString() => string.Join('\\', Terms);

    private byte[] EncodeSingleByte(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80)
            {
                bytes[i] = (byte)c;
                continue;
            }
            var b = _mode == Mode.Unknown || c == Replacement ? -1 : Array.IndexOf(_table, c, 0x80);
            if (b < 0)
                throw new DicomException(
                    $"The character U+{(int)c:X4} cannot be encoded with Specific Character Set '{this}'.");
            bytes[i] = (byte)b;
        }
        return bytes;
    }

    private readonly ref struct TableState(ReadOnlySpan<byte> bytes, char[] table)
    {
        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public char[] Table { get; } = table;
    }
}
