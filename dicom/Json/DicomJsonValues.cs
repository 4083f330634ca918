using System.Globalization;
using System.Text.Json;

namespace OrleansImaging.Dicom.Json;

/// <summary>How single values map between DICOM and JSON, shared by the JSON writer and reader.</summary>
internal static class DicomJsonValues
{
    /// <summary>The PN component group names, in the order of the '='-separated groups (PS3.18 F.2.2).</summary>
    public static readonly string[] PersonNameGroups = ["Alphabetic", "Ideographic", "Phonetic"];

    /// <summary>
    /// Writes a PN value as an object with its non-empty component groups; null when all are empty.
    /// A group of nothing but component separators ("^^^^", which some writers put in for an unknown
    /// name) has no components, so it is empty (PS3.5 6.2.1.1; dcm2json agrees).
    /// </summary>
    public static void WritePersonName(Utf8JsonWriter writer, string value)
    {
        var groups = value.Split('=');
        for (var i = 0; i < groups.Length; i++)
        {
            if (IsEmptyGroup(groups[i]))
                groups[i] = string.Empty;
        }
        if (groups.All(g => g.Length == 0))
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartObject();
        // A fourth group and beyond is not valid PN; there is nowhere in JSON to put it.
        for (var i = 0; i < Math.Min(groups.Length, PersonNameGroups.Length); i++)
        {
            if (groups[i].Length > 0)
                writer.WriteString(PersonNameGroups[i], groups[i]);
        }
        writer.WriteEndObject();
    }

    /// <summary>True when every component group of a PN value is empty.</summary>
    public static bool IsEmptyPersonName(string value) => value.Split('=').All(IsEmptyGroup);

    private static bool IsEmptyGroup(string group) => !group.AsSpan().TrimEnd(' ').ContainsAnyExcept('^');

    /// <summary>
    /// Writes an IS or DS value as a JSON number: as given when it is already spelt the way JSON
    /// spells numbers (so no digits are lost or invented), normalized when it is a number JSON
    /// cannot spell ("+.5", "007", "1."), and as a string when it is no number at all, which keeps the
    /// text rather than failing on a malformed file (dcm2json does the same).
    /// </summary>
    public static void WriteNumberString(Utf8JsonWriter writer, string value, DicomVR vr)
    {
        if (IsJsonNumber(value))
        {
            writer.WriteRawValue(value, skipInputValidation: true);
            return;
        }
        if (vr == DicomVR.IS && long.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var integer))
        {
            writer.WriteNumberValue(integer);
            return;
        }
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
            return;
        }
        writer.WriteStringValue(value);
    }

    /// <summary>Writes an FL value; non-finite values, which JSON has no number for, as strings.</summary>
    public static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(NonFinite(value));
    }

    /// <summary>Writes an FD value; non-finite values, which JSON has no number for, as strings.</summary>
    public static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(NonFinite(value));
    }

    /// <summary>The names System.Text.Json uses for named floating-point literals.</summary>
    private static string NonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    /// <summary>True when <paramref name="text"/> follows the JSON number grammar (RFC 8259 section 6).</summary>
    public static bool IsJsonNumber(ReadOnlySpan<char> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
            i++;
        if (i >= text.Length)
            return false;
        if (text[i] == '0')
            i++;
        else if (text[i] is >= '1' and <= '9')
            i = SkipDigits(text, i);
        else
            return false;
        if (i < text.Length && text[i] == '.')
        {
            var start = ++i;
            i = SkipDigits(text, i);
            if (i == start)
                return false;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
                i++;
            var start = i;
            i = SkipDigits(text, i);
            if (i == start)
                return false;
        }
        return i == text.Length;
    }

    private static int SkipDigits(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
            i++;
        return i;
    }
}
