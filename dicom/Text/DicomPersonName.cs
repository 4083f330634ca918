namespace OrleansImaging.Dicom.Text;

/// <summary>
/// One decoded Person Name (PN) value (PS3.5 6.2.1): up to three component groups separated
/// by '=' — alphabetic, ideographic and phonetic — each of up to five components separated
/// by '^'. These are the "Alphabetic", "Ideographic" and "Phonetic" members of DICOM JSON.
/// </summary>
/// <param name="Alphabetic">The first group, e.g. "Yamada^Tarou".</param>
/// <param name="Ideographic">The second group, e.g. "山田^太郎".</param>
/// <param name="Phonetic">The third group, e.g. "やまだ^たろう".</param>
public sealed record DicomPersonName(
    DicomPersonNameGroup Alphabetic,
    DicomPersonNameGroup Ideographic,
    DicomPersonNameGroup Phonetic)
{
    /// <summary>A name with all groups empty.</summary>
    public static DicomPersonName Empty { get; } = new(DicomPersonNameGroup.Empty, DicomPersonNameGroup.Empty, DicomPersonNameGroup.Empty);

    /// <summary>
    /// Splits one decoded PN value (not a multi-valued string: split at '\' first). Trailing
    /// spaces and NULs (padding) are removed. Never throws; a fourth '=' and a sixth '^' stay
    /// inside the last group and component, so <see cref="ToString"/> loses nothing.
    /// </summary>
    /// <param name="value">The decoded value, possibly padded.</param>
    public static DicomPersonName Parse(string? value)
    {
        var text = value.AsSpan().TrimEnd(" \0");
        if (text.IsEmpty)
            return Empty;
        Span<DicomPersonNameGroup> groups = [DicomPersonNameGroup.Empty, DicomPersonNameGroup.Empty, DicomPersonNameGroup.Empty];
        for (var index = 0; index < groups.Length; index++)
        {
            var end = index == groups.Length - 1 ? -1 : text.IndexOf('=');
            var group = end < 0 ? text : text[..end];
            groups[index] = DicomPersonNameGroup.Parse(group);
            if (end < 0)
                break;
            text = text[(end + 1)..];
        }
        return new DicomPersonName(groups[0], groups[1], groups[2]);
    }

    /// <summary>True when every group is empty.</summary>
    public bool IsEmpty => Alphabetic.IsEmpty && Ideographic.IsEmpty && Phonetic.IsEmpty;

    /// <summary>The DICOM form, without trailing empty groups or components, e.g. "Wang^XiaoDong=王^小東".</summary>
    public override string ToString()
    {
        if (!Phonetic.IsEmpty)
            return $"{Alphabetic}={Ideographic}={Phonetic}";
        if (!Ideographic.IsEmpty)
            return $"{Alphabetic}={Ideographic}";
        return Alphabetic.ToString();
    }
}

/// <summary>
/// One component group of a person name: family name complex, given name complex, middle
/// name, name prefix and name suffix (PS3.5 6.2.1.1). Absent components are empty strings.
/// </summary>
/// <param name="FamilyName">The family name complex.</param>
/// <param name="GivenName">The given name complex.</param>
/// <param name="MiddleName">The middle name.</param>
/// <param name="NamePrefix">The name prefix, e.g. "Dr".</param>
/// <param name="NameSuffix">The name suffix, e.g. "MD".</param>
public sealed record DicomPersonNameGroup(
    string FamilyName,
    string GivenName,
    string MiddleName,
    string NamePrefix,
    string NameSuffix)
{
    /// <summary>A group with all components empty.</summary>
    public static DicomPersonNameGroup Empty { get; } = new("", "", "", "", "");

    /// <summary>True when every component is empty.</summary>
    public bool IsEmpty => FamilyName.Length == 0 && GivenName.Length == 0 && MiddleName.Length == 0
        && NamePrefix.Length == 0 && NameSuffix.Length == 0;

    /// <summary>Splits one group at '^'; anything after a fifth '^' stays in <see cref="NameSuffix"/>.</summary>
    /// <param name="group">The group's text.</param>
    public static DicomPersonNameGroup Parse(ReadOnlySpan<char> group)
    {
        if (group.IsEmpty)
            return Empty;
        Span<string> components = ["", "", "", "", ""];
        for (var index = 0; index < components.Length; index++)
        {
            var end = index == components.Length - 1 ? -1 : group.IndexOf('^');
            components[index] = (end < 0 ? group : group[..end]).ToString();
            if (end < 0)
                break;
            group = group[(end + 1)..];
        }
        return new DicomPersonNameGroup(components[0], components[1], components[2], components[3], components[4]);
    }

    /// <summary>The DICOM form of the group, without trailing empty components, e.g. "Doctor^Who^^MD".</summary>
    public override string ToString()
    {
        ReadOnlySpan<string> components = [FamilyName, GivenName, MiddleName, NamePrefix, NameSuffix];
        var count = components.Length;
        while (count > 0 && components[count - 1].Length == 0)
            count--;
        return string.Join('^', components[..count]);
    }
}
