using System.Buffers;
using System.Text;

namespace OrleansImaging.Dicom.Text;

/// <summary>
/// Decoding and encoding of values that use ISO 2022 code extensions (PS3.5 6.1.2.5): escape
/// sequences designate sets into G0 (bytes 0x21–0x7E) and G1 (0xA0–0xFF), and both return to
/// the initial sets after every delimiter.
/// </summary>
internal static class Iso2022
{
    private const byte Esc = 0x1B;
    private const char Replacement = '\uFFFD';
    private const int StackLimit = 256;

    /// <summary>
    /// Decodes a whole value. Never throws: an unknown or truncated escape sequence and a byte
    /// that is not a character of the active set each become one U+FFFD. An escape sequence
    /// for a known set is honored even when (0008,0005) does not declare that set, because
    /// the sequence itself names the set unambiguously.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> value, GraphicSet initialG0, GraphicSet? initialG1, bool isPersonName)
    {
        // Every byte yields at most one character, so the value's length bounds the output.
        char[]? rented = null;
        Span<char> buffer = value.Length <= StackLimit
            ? stackalloc char[StackLimit]
            : rented = ArrayPool<char>.Shared.Rent(value.Length);
        var written = 0;
        var g0 = initialG0;
        var g1 = initialG1;
        var i = 0;
        while (i < value.Length)
        {
            var b = value[i];
            if (b == Esc)
            {
                i = ReadEscape(value, i, ref g0, ref g1, out var invalid);
                if (invalid)
                    buffer[written++] = Replacement;
            }
            else if (b < 0x80)
            {
                if (g0.Kind == GraphicSetKind.DoubleByte && IsGraphic7(b))
                {
                    if (i + 1 < value.Length && IsGraphic7(value[i + 1]))
                    {
                        buffer[written++] = g0.DecodePair((byte)(b | 0x80), (byte)(value[i + 1] | 0x80));
                        i += 2;
                    }
                    else
                    {
                        buffer[written++] = Replacement;
                        i++;
                    }
                    continue;
                }
                // Single-byte G0 sets here agree with ASCII below 0x80 (see GraphicSet.JisRoman);
                // controls and space are the same in every set.
                buffer[written++] = (char)b;
                i++;
                if (IsDelimiter(b, isPersonName))
                {
                    g0 = initialG0;
                    g1 = initialG1;
                }
            }
            else if (g1 is null)
            {
                buffer[written++] = Replacement;
                i++;
            }
            else if (g1.Kind == GraphicSetKind.SingleByte)
            {
                buffer[written++] = g1.DecodeByte(b);
                i++;
            }
            else if (IsGraphic8(b) && i + 1 < value.Length && IsGraphic8(value[i + 1]))
            {
                buffer[written++] = g1.DecodePair(b, value[i + 1]);
                i += 2;
            }
            else
            {
                buffer[written++] = Replacement;
                i++;
            }
        }

        var result = new string(buffer[..written]);
        if (rented is not null)
            ArrayPool<char>.Shared.Return(rented);
        return result;
    }

    /// <summary>
    /// Encodes a value. Each character goes into the set already active when that set has it,
    /// otherwise into the first of <paramref name="candidates"/> (the declared sets, in the
    /// order of (0008,0005)) that has it, after that set's escape sequence. Before each
    /// delimiter and at the end, G0 and G1 return to the initial sets, as PS3.5 6.1.2.5.3 asks.
    /// </summary>
    /// <exception cref="DicomException">A character is in none of the candidate sets.</exception>
    public static byte[] Encode(string text, GraphicSet initialG0, GraphicSet? initialG1,
        IReadOnlyList<GraphicSet> candidates, bool isPersonName, string specificCharacterSet)
    {
        var output = new ArrayBufferWriter<byte>(text.Length * 2 + 8);
        var g0 = initialG0;
        var g1 = initialG1;
        Span<byte> code = stackalloc byte[2];
        for (var index = 0; index < text.Length; index++)
        {
            var c = text[index];
            if (c < 0x80 && IsDelimiter((byte)c, isPersonName))
            {
                ReturnToInitial(output, ref g0, ref g1, initialG0, initialG1);
                output.Write([(byte)c]);
                continue;
            }
            if (c is < '!' or '\x7F')
            {
                // Space and controls belong to no graphic set, but readers that treat them as
                // ordinary bytes need a single-byte G0 around them, as Japanese writers do.
                if (g0.Kind == GraphicSetKind.DoubleByte)
                {
                    output.Write(initialG0.Escape);
                    g0 = initialG0;
                }
                output.Write([(byte)c]);
                continue;
            }

            var length = g0.TryEncode(c, code);
            if (length == 0 && g1 is not null)
                length = g1.TryEncode(c, code);
            if (length == 0)
            {
                foreach (var set in candidates)
                {
                    length = set.TryEncode(c, code);
                    if (length == 0)
                        continue;
                    output.Write(set.Escape);
                    if (set.IsG1)
                        g1 = set;
                    else
                        g0 = set;
                    break;
                }
            }
            if (length == 0)
            {
                // No ISO 2022 set here has characters outside the BMP; name the code point, not half of it.
                var codePoint = Rune.TryGetRuneAt(text, index, out var rune) ? rune.Value : c;
                throw new DicomException(
                    $"The character U+{codePoint:X4} cannot be encoded with Specific Character Set '{specificCharacterSet}'.");
            }
            output.Write(code[..length]);
        }
        ReturnToInitial(output, ref g0, ref g1, initialG0, initialG1);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The bytes after which the active sets return to the initial ones: CR, LF, FF, TAB, the
    /// value delimiter '\', and for person names the component '^' and group '=' delimiters.
    /// </summary>
    private static bool IsDelimiter(byte b, bool isPersonName) =>
        b is 0x0D or 0x0A or 0x0C or 0x09 or (byte)'\\' || (isPersonName && b is (byte)'^' or (byte)'=');

    private static bool IsGraphic7(byte b) => b is >= 0x21 and <= 0x7E;

    private static bool IsGraphic8(byte b) => b is >= 0xA1 and <= 0xFE;

    private static void ReturnToInitial(ArrayBufferWriter<byte> output, ref GraphicSet g0, ref GraphicSet? g1,
        GraphicSet initialG0, GraphicSet? initialG1)
    {
        if (g0 != initialG0)
            output.Write(initialG0.Escape);
        // With no initial G1 there is nothing to designate back; decoders reset G1 anyway.
        if (g1 != initialG1 && initialG1 is not null)
            output.Write(initialG1.Escape);
        g0 = initialG0;
        g1 = initialG1;
    }

    /// <summary>
    /// Reads the escape sequence at <paramref name="start"/>: ESC, intermediate bytes
    /// 0x20–0x2F, one final byte 0x30–0x7E (ISO 2022 / ECMA-35). Returns the index after it.
    /// <paramref name="invalid"/> is true when the sequence is truncated or designates no set
    /// we know; the active sets are then unchanged.
    /// </summary>
    private static int ReadEscape(ReadOnlySpan<byte> value, int start, ref GraphicSet g0, ref GraphicSet? g1, out bool invalid)
    {
        var end = start + 1;
        while (end < value.Length && value[end] is >= 0x20 and <= 0x2F)
            end++;
        if (end >= value.Length || value[end] is < 0x30 or > 0x7E)
        {
            // Truncated: leave the byte that broke the sequence to be decoded on its own.
            invalid = true;
            return end;
        }
        var sequence = value[start..(end + 1)];
        // Indexed, not foreach: enumerating the IReadOnlyList would box an enumerator per escape.
        var sets = CharacterSetTerm.AllGraphicSets;
        for (var k = 0; k < sets.Count; k++)
        {
            var set = sets[k];
            if (!sequence.SequenceEqual(set.Escape))
                continue;
            if (set.IsG1)
                g1 = set;
            else
                g0 = set;
            invalid = false;
            return end + 1;
        }
        invalid = true;
        return end + 1;
    }
}
