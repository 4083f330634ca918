using System.Globalization;
using System.Text;

namespace OrleansImaging.DictionaryGenerator;

/// <summary>Writes the registered UIDs as <c>DicomUid</c> members and the registry list.</summary>
internal static class UidWriter
{
    private static readonly HashSet<string> ReservedUidMembers =
    [
        "DicomUid", "Value", "Name", "Keyword", "Type", "IsRetired", "TryLookup", "IsValid", "Registered",
        "Equals", "GetHashCode", "ToString", "GetType", "RegistryData", "MaxLength", "FromValue",
    ];

    private static readonly Dictionary<string, string> TypeNames = new(StringComparer.Ordinal)
    {
        ["Transfer Syntax"] = "TransferSyntax",
        ["SOP Class"] = "SopClass",
        ["Meta SOP Class"] = "MetaSopClass",
        ["Well-known SOP Instance"] = "WellKnownSopInstance",
        ["Well-known Printer SOP Instance"] = "WellKnownSopInstance",
        ["Well-known Print Queue SOP Instance"] = "WellKnownSopInstance",
        ["Application Context Name"] = "ApplicationContextName",
        ["Coding Scheme"] = "CodingScheme",
        ["DICOM UIDs as a Coding Scheme"] = "CodingScheme",
        ["Service Class"] = "ServiceClass",
        ["LDAP OID"] = "LdapOid",
        ["Application Hosting Model"] = "ApplicationHostingModel",
        ["Mapping Resource"] = "MappingResource",
        ["Synchronization Frame of Reference"] = "SynchronizationFrameOfReference",
        ["Well-known frame of reference"] = "WellKnownFrameOfReference",
    };

    public static string Write(IReadOnlyList<UidEntry> uids, string header, TextWriter log)
    {
        var members = new StringBuilder();
        var table = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var uid in uids.OrderBy(u => u.Value, UidComparer.Instance))
        {
            if (!values.Add(uid.Value))
                throw new InvalidOperationException($"UID {uid.Value} is registered twice.");
            if (!TypeNames.TryGetValue(uid.Type, out var type))
                throw new InvalidOperationException($"UID {uid.Value} has type '{uid.Type}', which DicomUidType does not name yet.");
            if (uid.Name.Contains('\t', StringComparison.Ordinal) || uid.Keyword.Contains('\t', StringComparison.Ordinal))
                throw new InvalidOperationException($"UID {uid.Value} has a tab in its name or keyword.");
            table.Append(CultureInfo.InvariantCulture, $"{uid.Value}\t{uid.Name}\t{uid.Keyword}\t{type}\t{(uid.IsRetired ? "R" : "-")}\n");
            // LDAP OIDs have keywords like "dicomDeviceName"; members follow C# casing.
            var member = uid.Keyword.Length == 0 ? "" : char.ToUpperInvariant(uid.Keyword[0]) + uid.Keyword[1..];
            if (member.Length == 0 || ReservedUidMembers.Contains(member))
            {
                log.WriteLine($"UID {uid.Value} ('{uid.Name}', keyword '{uid.Keyword}') has no usable member name; registry only");
            }
            else
            {
                if (!seen.Add(member))
                    throw new InvalidOperationException($"UID keyword {member} appears twice.");
                if (members.Length > 0)
                    members.Append('\n');
                var retired = uid.IsRetired ? ", retired" : "";
                members.Append(CultureInfo.InvariantCulture, $"    /// <summary>{uid.Value}: {Escape(uid.Name)} ({uid.Type}{retired}).</summary>\n");
                // Properties over one parsed table, not static readonly fields: hundreds of field
                // initializers make a static constructor that takes ~20 ms to JIT.
                members.Append(CultureInfo.InvariantCulture, $"    public static DicomUid {member} => Registry.All[{index}];\n");
            }
            index++;
        }

        var text = new StringBuilder(header);
        text.Append("namespace OrleansImaging.Dicom;\n\npublic sealed partial class DicomUid\n{\n");
        text.Append(members);
        text.Append("""

                /// <summary>
                /// Every registered UID, sorted arc by arc, one a line: value, name, keyword,
                /// <see cref="DicomUidType"/> member, retired ('R' or '-').
                /// </summary>
            """).Append("\n    private static ReadOnlySpan<byte> RegistryData => \"\"\"\n").Append(table).Append("\"\"\"u8;\n}\n");
        return text.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Orders UIDs arc by arc numerically, so 1.2.4.50 sorts before 1.2.4.100.</summary>
    private sealed class UidComparer : IComparer<string>
    {
        public static readonly UidComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var left = (x ?? "").Split('.');
            var right = (y ?? "").Split('.');
            for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
            {
                var byLength = left[i].Length.CompareTo(right[i].Length);
                if (byLength != 0)
                    return byLength;
                var byDigits = string.CompareOrdinal(left[i], right[i]);
                if (byDigits != 0)
                    return byDigits;
            }
            return left.Length.CompareTo(right.Length);
        }
    }
}
