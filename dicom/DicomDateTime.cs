using System.Globalization;

namespace OrleansImaging.Dicom;

/// <summary>Parsing of DICOM TM values (PS3.5 6.2: HH, HHMM, HHMMSS, HHMMSS.FFFFFF; old HH:MM:SS too).</summary>
public static class DicomDateTime
{
    /// <summary>Parses a TM value.</summary>
    /// <exception cref="FormatException">The text is not a DICOM time.</exception>
    public static TimeOnly ParseTime(string text)
    {
        var t = text.Trim().Replace(":", "", StringComparison.Ordinal);
        var fraction = 0;
        var dot = t.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var digits = t[(dot + 1)..].PadRight(6, '0')[..6];
            fraction = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            t = t[..dot];
        }
        if (t.Length is not (2 or 4 or 6) || !t.All(char.IsAsciiDigit))
            throw new FormatException($"'{text}' is not a DICOM time (HHMMSS.FFFFFF).");
        var hour = int.Parse(t[..2], CultureInfo.InvariantCulture);
        var minute = t.Length >= 4 ? int.Parse(t[2..4], CultureInfo.InvariantCulture) : 0;
        var second = t.Length == 6 ? int.Parse(t[4..6], CultureInfo.InvariantCulture) : 0;
        if (second == 60)
            second = 59; // leap second, which TimeOnly cannot hold
        return new TimeOnly(hour, minute, second).Add(TimeSpan.FromTicks(fraction * 10L));
    }
}
