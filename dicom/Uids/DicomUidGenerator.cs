using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace OrleansImaging.Dicom;

/// <summary>
/// Makes new UIDs for instances, series and studies. By default a UID is derived from a random
/// UUID, "2.25." followed by the UUID as one unsigned decimal (PS3.5 B.2), which needs no
/// registered root. With an organization root it is "root.time.random" instead.
/// </summary>
public sealed class DicomUidGenerator
{
    private const string UuidRoot = "2.25.";

    // Milliseconds since 1970 take 13 digits until the year 2286; 14 leaves room beyond.
    private const int TimeDigits = 14;

    // Random digits an organization-root UID keeps at least: with 16, even 10,000 UIDs made in
    // the same millisecond by independent generators collide with probability about 10⁻⁸.
    private const int MinRandomDigits = 16;

    private const int MaxRandomDigits = 30;

    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a generator of UUID-derived UIDs under 2.25.</summary>
    public DicomUidGenerator()
    {
        _timeProvider = TimeProvider.System;
    }

    /// <summary>Creates a generator of UIDs under <paramref name="organizationRoot"/>.</summary>
    /// <param name="organizationRoot">A valid UID root the organization owns, at most <see cref="MaxRootLength"/> (32) characters.</param>
    /// <param name="timeProvider">The clock for the time component; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">The root is not a valid UID or leaves too little room.</exception>
    public DicomUidGenerator(string organizationRoot, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(organizationRoot);
        if (!DicomUid.IsValid(organizationRoot))
            throw new ArgumentException($"'{organizationRoot}' is not a valid UID root (PS3.5 9.1).", nameof(organizationRoot));
        if (organizationRoot.Length > MaxRootLength)
        {
            throw new ArgumentException(
                $"The root '{organizationRoot}' has {organizationRoot.Length} characters; at most {MaxRootLength} leave room for the time and random components.",
                nameof(organizationRoot));
        }
        OrganizationRoot = organizationRoot;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The longest organization root accepted: 64 less the separators, time and minimum random digits.</summary>
    public const int MaxRootLength = DicomUid.MaxLength - 1 - TimeDigits - 1 - MinRandomDigits;

    /// <summary>The organization root, or null when UIDs are UUID-derived.</summary>
    public string? OrganizationRoot { get; }

    /// <summary>Generates a new, valid UID of at most 64 characters; safe to call from several threads.</summary>
    public DicomUid Generate() => new(OrganizationRoot is null ? FromUuid() : FromRoot(OrganizationRoot));

    private static string FromUuid()
    {
        // Guid.NewGuid draws from the operating system's cryptographic generator (a version 4
        // UUID). Read big-endian, as RFC 4122 orders it, to get the integer X.667 means.
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes, bigEndian: true, out _);
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return UuidRoot + value.ToString(CultureInfo.InvariantCulture);
    }

    private string FromRoot(string root)
    {
        // A clock set before 1970 must not put a minus sign into the UID.
        var milliseconds = Math.Max(0, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture);
        var randomDigits = Math.Min(MaxRandomDigits, DicomUid.MaxLength - root.Length - 1 - milliseconds.Length - 1);
        return string.Create(root.Length + 1 + milliseconds.Length + 1 + randomDigits, (root, milliseconds), static (span, state) =>
        {
            var (root, milliseconds) = state;
            root.CopyTo(span);
            span[root.Length] = '.';
            milliseconds.CopyTo(span[(root.Length + 1)..]);
            var random = span[(root.Length + 1 + milliseconds.Length)..];
            random[0] = '.';
            // A component may not start with 0 (PS3.5 9.1).
            RandomNumberGenerator.GetItems("123456789", random.Slice(1, 1));
            RandomNumberGenerator.GetItems("0123456789", random[2..]);
        });
    }
}
