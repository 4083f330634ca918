using System.Globalization;

namespace OrleansImaging.Dicom;

/// <summary>
/// A DICOM attribute tag: a (group, element) pair packed into 32 bits, ordered the way data
/// sets are ordered on the wire. Keyword constants for the standard's tags live in the
/// generated part of this type (<c>DicomTag.PatientName</c> and so on).
/// </summary>
public readonly partial struct DicomTag : IEquatable<DicomTag>, IComparable<DicomTag>
{
    /// <summary>Creates a tag from its group and element numbers.</summary>
    public DicomTag(ushort group, ushort element) => Value = ((uint)group << 16) | element;

    /// <summary>Creates a tag from its packed 32-bit value (group in the high half).</summary>
    public DicomTag(uint value) => Value = value;

    /// <summary>The packed value: group in the high 16 bits, element in the low 16 bits.</summary>
    public uint Value { get; }

    /// <summary>The group number.</summary>
    public ushort Group => (ushort)(Value >> 16);

    /// <summary>The element number.</summary>
    public ushort Element => (ushort)Value;

    /// <summary>True for tags of odd groups other than 1, 3, 5, 7 and FFFF (PS3.5 7.8.1).</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 7 && Group != 0xFFFF;

    /// <summary>True for a private creator element: (gggg,0010)–(gggg,00FF) in a private group.</summary>
    public bool IsPrivateCreator => IsPrivate && Element >= 0x10 && Element <= 0xFF;

    /// <summary>
    /// For a private data element (gggg,xxyy) with xx in 10–FF, the tag of its private creator
    /// (gggg,00xx); otherwise null.
    /// </summary>
    public DicomTag? PrivateCreatorTag =>
        IsPrivate && Element >= 0x1000 ? new DicomTag(Group, (ushort)(Element >> 8)) : null;

    /// <summary>True for the group length element (gggg,0000).</summary>
    public bool IsGroupLength => Element == 0;

    /// <summary>Parses "(gggg,eeee)", "gggg,eeee" or "ggggeeee" (hexadecimal).</summary>
    /// <exception cref="FormatException">The text is not a tag.</exception>
    public static DicomTag Parse(string text) =>
        TryParse(text, out var tag) ? tag : throw new FormatException($"'{text}' is not a DICOM tag; expected (gggg,eeee) or ggggeeee.");

    /// <summary>Parses "(gggg,eeee)", "gggg,eeee" or "ggggeeee" (hexadecimal).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTag tag)
    {
        tag = default;
        text = text.Trim();
        if (text.Length == 11 && text[0] == '(' && text[10] == ')')
            text = text[1..10];
        if (text.Length == 9 && text[4] == ',')
        {
            if (ushort.TryParse(text[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var g)
                && ushort.TryParse(text[5..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var e))
            {
                tag = new DicomTag(g, e);
                return true;
            }
            return false;
        }
        if (text.Length == 8 && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
        {
            tag = new DicomTag(v);
            return true;
        }
        return false;
    }

    /// <summary>The tag as eight upper-case hexadecimal digits, as DICOM JSON keys are written.</summary>
    public string ToJsonKey() => Value.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>Formats as (gggg,eeee) in upper-case hexadecimal.</summary>
    public override string ToString() => string.Create(11, Value, static (span, v) =>
    {
        span[0] = '(';
        ((ushort)(v >> 16)).TryFormat(span[1..], out _, "X4", CultureInfo.InvariantCulture);
        span[5] = ',';
        ((ushort)v).TryFormat(span[6..], out _, "X4", CultureInfo.InvariantCulture);
        span[10] = ')';
    });

    /// <inheritdoc />
    public bool Equals(DicomTag other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DicomTag other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Value;

    /// <inheritdoc />
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>Equality.</summary>
    public static bool operator ==(DicomTag left, DicomTag right) => left.Value == right.Value;

    /// <summary>Inequality.</summary>
    public static bool operator !=(DicomTag left, DicomTag right) => left.Value != right.Value;

    /// <summary>Wire order.</summary>
    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;

    /// <summary>Wire order.</summary>
    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;

    /// <summary>Wire order.</summary>
    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;

    /// <summary>Wire order.</summary>
    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;

    /// <summary>(FFFE,E000): Item.</summary>
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);

    /// <summary>(FFFE,E00D): Item Delimitation Item.</summary>
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);

    /// <summary>(FFFE,E0DD): Sequence Delimitation Item.</summary>
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);
}
