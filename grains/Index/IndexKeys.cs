using System.Globalization;
using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Grains.Index;

/// <summary>
/// The normalized forms the index stores and compares, shared by the query parser and every store
/// implementation so that a value and a pattern are always normalized the same way.
/// </summary>
public static class IndexKeys
{
    /// <summary>The match key of one PN component group: its DICOM form without trailing empty components, upper-cased.</summary>
    public static string PersonNameGroupKey(DicomPersonNameGroup group) => group.ToString().ToUpperInvariant();

    /// <summary>The match key of a whole PN value: its DICOM form without trailing empty groups or components, upper-cased.</summary>
    public static string PersonNameKey(DicomPersonName name) => name.ToString().ToUpperInvariant();

    /// <summary>A DA value as <c>YYYYMMDD</c> if it is a real date (the ACR-NEMA <c>YYYY.MM.DD</c> form accepted); otherwise empty.</summary>
    public static string DateKey(string? value)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 10 && text[4] == '.' && text[7] == '.')
            text = string.Concat(text.AsSpan(0, 4), text.AsSpan(5, 2), text.AsSpan(8, 2));
        return IsDate(text) ? text : "";
    }

    /// <summary>True for an 8-digit <c>YYYYMMDD</c> that names a calendar day.</summary>
    public static bool IsDate(string text) =>
        text.Length == 8 && text.All(char.IsAsciiDigit)
        && DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// A TM value as <c>HHMMSS.FFFFFF</c> (missing parts as zeros, the ACR-NEMA <c>HH:MM:SS</c> form
    /// accepted), so that times compare as text; empty when it is not a time.
    /// </summary>
    public static string TimeKey(string? value) => TryTime(value, upper: false, out var key) ? key : "";

    /// <summary>
    /// Normalizes a TM value of a query: as a lower bound missing parts are zeros, as an upper bound
    /// they are their largest values (<c>10</c> up to <c>105959.999999</c>), so a range ending at
    /// <c>10</c> includes 10:30.
    /// </summary>
    public static bool TryTime(string? value, bool upper, out string key)
    {
        key = "";
        var text = (value ?? "").Trim().Replace(":", "", StringComparison.Ordinal);
        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (whole.Length is not (2 or 4 or 6) || !whole.All(char.IsAsciiDigit) || fraction.Length > 6 || !fraction.All(char.IsAsciiDigit))
            return false;
        if (dot >= 0 && (whole.Length != 6 || fraction.Length == 0))
            return false;
        var hours = int.Parse(whole[..2], CultureInfo.InvariantCulture);
        var minutes = whole.Length >= 4 ? int.Parse(whole[2..4], CultureInfo.InvariantCulture) : 0;
        var seconds = whole.Length == 6 ? int.Parse(whole[4..6], CultureInfo.InvariantCulture) : 0;
        // PS3.5 allows a leap second (60).
        if (hours > 23 || minutes > 59 || seconds > 60)
            return false;
        var filler = upper ? "5959" : "0000";
        key = whole + filler[..(6 - whole.Length)] + "." + fraction.PadRight(6, upper ? '9' : '0');
        return true;
    }
}
