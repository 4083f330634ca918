using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace OrleansImaging.Dicom;

/// <summary>
/// A DICOM unique identifier (PS3.5 9): its value and, for UIDs the standard registers
/// (PS3.6 Annex A), its name, keyword, type and status. Registered UIDs are static members,
/// e.g. <c>DicomUid.CTImageStorage</c>; two instances with the same value are equal.
/// </summary>
public sealed partial class DicomUid : IEquatable<DicomUid>
{
    /// <summary>The longest UID PS3.5 9.1 allows.</summary>
    public const int MaxLength = 64;

    /// <summary>Creates a UID with a description, e.g. for a private SOP class.</summary>
    public DicomUid(string value, string name, string keyword, DicomUidType type, bool isRetired = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(keyword);
        Value = value;
        Name = name;
        Keyword = keyword;
        Type = type;
        IsRetired = isRetired;
    }

    /// <summary>Creates an unregistered UID (type <see cref="DicomUidType.Unknown"/>, empty name and keyword).</summary>
    public DicomUid(string value) : this(value, string.Empty, string.Empty, DicomUidType.Unknown)
    {
    }

    /// <summary>The dotted-decimal value, e.g. "1.2.840.10008.1.2.1".</summary>
    public string Value { get; }

    /// <summary>The registered name, e.g. "Explicit VR Little Endian"; empty when not registered.</summary>
    public string Name { get; }

    /// <summary>The registered keyword, e.g. "ExplicitVRLittleEndian"; empty when there is none.</summary>
    public string Keyword { get; }

    /// <summary>What the UID identifies.</summary>
    public DicomUidType Type { get; }

    /// <summary>True when the standard has retired the UID.</summary>
    public bool IsRetired { get; }

    /// <summary>
    /// Finds the registered UID with value <paramref name="uid"/>. Trailing NUL or space
    /// padding, as UIDs carry on the wire, is ignored.
    /// </summary>
    public static bool TryLookup(string uid, [NotNullWhen(true)] out DicomUid? registered)
    {
        ArgumentNullException.ThrowIfNull(uid);
        return Registry.ByValue.TryGetValue(uid.AsSpan().TrimEnd(" \0"), out registered);
    }

    /// <summary>The registered UID with this value, or a new unregistered one; the value is not validated.</summary>
    public static DicomUid FromValue(string uid) => TryLookup(uid, out var registered) ? registered : new DicomUid(uid);

    /// <summary>
    /// True when <paramref name="uid"/> is a valid UID (PS3.5 9.1): 1 to 64 characters of
    /// components made of digits, separated by single periods, with no leading zero in a
    /// component other than "0" itself.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<char> uid)
    {
        if (uid.IsEmpty || uid.Length > MaxLength)
            return false;
        var componentStart = 0;
        for (var i = 0; i <= uid.Length; i++)
        {
            if (i == uid.Length || uid[i] == '.')
            {
                var length = i - componentStart;
                if (length == 0 || (length > 1 && uid[componentStart] == '0'))
                    return false;
                componentStart = i + 1;
            }
            else if (!char.IsAsciiDigit(uid[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The value.</summary>
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(DicomUid? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DicomUid);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>Equality by value.</summary>
    public static bool operator ==(DicomUid? left, DicomUid? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by value.</summary>
    public static bool operator !=(DicomUid? left, DicomUid? right) => !(left == right);

    /// <summary>
    /// The registered UIDs, parsed from the generated table on first use. The generated members
    /// index <see cref="All"/>, so each registered UID exists once and compares by reference too.
    /// </summary>
    private static class Registry
    {
        public static readonly DicomUid[] All = Parse(RegistryData);

        // Never written after construction, so safe for concurrent readers.
        public static readonly Dictionary<string, DicomUid>.AlternateLookup<ReadOnlySpan<char>> ByValue =
            All.ToDictionary(uid => uid.Value, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        private static DicomUid[] Parse(ReadOnlySpan<byte> table)
        {
            var uids = new List<DicomUid>(512);
            foreach (var range in table.Split((byte)'\n'))
            {
                var line = table[range].TrimEnd((byte)'\r');
                if (line.IsEmpty)
                    continue;
                var value = NextField(ref line);
                var name = NextField(ref line);
                var keyword = NextField(ref line);
                var type = Enum.Parse<DicomUidType>(NextField(ref line));
                uids.Add(new DicomUid(value, name, keyword, type, isRetired: line is [(byte)'R']));
            }
            return [.. uids];
        }

        private static string NextField(ref ReadOnlySpan<byte> line)
        {
            var tab = line.IndexOf((byte)'\t');
            if (tab < 0)
                throw new DicomException("The generated UID registry has a line with too few fields.");
            var field = Encoding.ASCII.GetString(line[..tab]);
            line = line[(tab + 1)..];
            return field;
        }
    }
}
