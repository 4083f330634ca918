using System.Net;

namespace OrleansImaging.Contracts.Tenants;

/// <summary>
/// A DICOM device (modality, PACS, workstation) registered for a hospital: the edge accepts associations whose calling
/// AE title is one of these, from <see cref="Host"/> when one is given.
/// </summary>
/// <param name="AeTitle">The device's calling AE title, normalized by <see cref="DeviceRegistrations.NormalizeAeTitle"/> (no leading or trailing spaces).</param>
/// <param name="DisplayName">What people call it ("CT room 3").</param>
/// <param name="Modality">The modality it produces (CT, MR, …), if any.</param>
/// <param name="Host">The IP address it must connect from (canonical text), or null for any address.</param>
[GenerateSerializer, Immutable, Alias("OrleansImaging.DeviceRegistration")]
public sealed record DeviceRegistration(
    [property: Id(0)] string AeTitle,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Modality = null,
    [property: Id(3)] string? Host = null);

/// <summary>The rules a <see cref="DeviceRegistration"/> follows, shared by the api (400s) and the tenant grain.</summary>
public static class DeviceRegistrations
{
    /// <summary>The most devices one hospital registers (tens to a few hundred in practice; the list travels whole to every edge).</summary>
    public const int MaxDevicesPerTenant = 1000;

    /// <summary>The longest AE title (the AE value representation, PS3.5 §6.2).</summary>
    public const int MaxAeTitleLength = 16;

    /// <summary>The longest display name.</summary>
    public const int MaxDisplayNameLength = 200;

    /// <summary>The longest modality code (the CS value representation).</summary>
    public const int MaxModalityLength = 16;

    /// <summary>
    /// <paramref name="aeTitle"/> without its leading and trailing spaces (both insignificant in the AE VR, PS3.5 table
    /// 6.2-1, and both dropped from an A-ASSOCIATE-RQ by our PDU reader, so a registration compares exactly with what a
    /// device sends), or null if it is not an AE title: 1–16 characters of the default character repertoire (printable
    /// ASCII), no backslash (the value separator), no control characters, not all spaces.
    /// </summary>
    public static string? NormalizeAeTitle(string? aeTitle)
    {
        if (aeTitle is null)
        {
            return null;
        }
        var trimmed = aeTitle.Trim(' ');
        if (trimmed.Length is 0 or > MaxAeTitleLength)
        {
            return null;
        }
        foreach (var c in trimmed)
        {
            if (c is < ' ' or > '~' or '\\')
            {
                return null;
            }
        }
        return trimmed;
    }

    /// <summary>
    /// Checks and normalizes <paramref name="device"/>: the AE title as <see cref="NormalizeAeTitle"/>, a display name of
    /// 1–200 printable characters, a modality of 1–16 upper-case letters, digits or '_' if any, a host that is an IP
    /// address if any. Returns null with <paramref name="error"/> saying what is wrong.
    /// </summary>
    public static DeviceRegistration? Validate(DeviceRegistration? device, out string error)
    {
        error = "";
        if (device is null)
        {
            error = "A device registration is needed.";
            return null;
        }
        if (NormalizeAeTitle(device.AeTitle) is not { } aeTitle)
        {
            error = "An AE title is 1–16 printable ASCII characters, without a backslash or control characters, and not all spaces.";
            return null;
        }
        var displayName = device.DisplayName?.Trim();
        if (string.IsNullOrEmpty(displayName) || displayName.Length > MaxDisplayNameLength || displayName.Any(char.IsControl))
        {
            error = $"A display name is 1–{MaxDisplayNameLength} printable characters.";
            return null;
        }
        var modality = string.IsNullOrWhiteSpace(device.Modality) ? null : device.Modality.Trim();
        if (modality is not null && (modality.Length > MaxModalityLength || !modality.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_')))
        {
            error = "A modality is 1–16 of A-Z, 0-9 and '_' (CT, MR, US, …).";
            return null;
        }
        string? host = null;
        if (!string.IsNullOrWhiteSpace(device.Host))
        {
            if (!LooksLikeAddress(device.Host.Trim()) || !IPAddress.TryParse(device.Host.Trim(), out var address))
            {
                error = "A host is an IP address (10.1.2.3 or an IPv6 address), the one the device connects from.";
                return null;
            }
            host = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        }
        return new DeviceRegistration(aeTitle, displayName, modality, host);
    }

    // IPAddress.TryParse accepts "1" or "10.1" as shorthand IPv4; a registration spells the address out.
    private static bool LooksLikeAddress(string text) => text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3 && text.All(c => c is '.' or (>= '0' and <= '9'));
}
