using System.Globalization;

namespace OrleansImaging.DictionaryGenerator;

/// <summary>
/// One half of a dcmtk tag: a single number, or a range "gggg-gggg" (even members only),
/// "gggg-o-gggg" (odd members) or "gggg-u-gggg" (every member).
/// </summary>
internal readonly record struct NumberRange(ushort First, ushort Last, ushort Step)
{
    public bool IsSingle => First == Last;

    public static NumberRange Parse(string text, string line)
    {
        var parts = text.Split('-');
        switch (parts.Length)
        {
            case 1:
                var single = Hex(parts[0], line);
                return new NumberRange(single, single, 1);
            case 2:
                return Checked(Hex(parts[0], line), Hex(parts[1], line), 2, requireOdd: false, line);
            case 3 when parts[1] == "o":
                return Checked(Hex(parts[0], line), Hex(parts[2], line), 2, requireOdd: true, line);
            case 3 when parts[1] == "u":
                return new NumberRange(Hex(parts[0], line), Hex(parts[2], line), 1);
            default:
                throw new FormatException($"Unknown range notation '{text}' in: {line}");
        }
    }

    public static ushort Hex(string text, string line) =>
        text.Length is 2 or 4 && ushort.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a 2- or 4-digit hexadecimal number in: {line}");

    private static NumberRange Checked(ushort first, ushort last, ushort step, bool requireOdd, string line)
    {
        // dcmtk's plain "a-b" means even members only; a range whose lower bound has the wrong
        // parity would silently describe a different set, so refuse it.
        if ((first & 1) == 1 != requireOdd || first > last)
            throw new FormatException($"Range {first:X4}-{last:X4} does not fit its parity rule in: {line}");
        return new NumberRange(first, last, step);
    }

    public override string ToString() => IsSingle
        ? First.ToString("X4", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First:X4}-{Last:X4}");
}
