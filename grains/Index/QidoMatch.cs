using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Index;

/// <summary>One matching key of a QIDO-RS query, already validated and normalized by <see cref="QidoQuery.Parse"/>.</summary>
/// <param name="Tag">The attribute matched.</param>
public abstract record QidoMatch(DicomTag Tag);

/// <summary>
/// Matches when the attribute equals any of <paramref name="Values"/>. A value holding <c>*</c>
/// (any run of characters) or <c>?</c> (one character) is a wildcard pattern; nothing else in a
/// value is special (<c>%</c>, <c>_</c>, <c>[</c> are literal). UID lists never hold wildcards.
/// </summary>
public sealed record QidoValueMatch(DicomTag Tag, IReadOnlyList<string> Values) : QidoMatch(Tag)
{
    /// <summary>Equal when the tag and the values, in order, are equal (a record would compare the list by reference).</summary>
    public bool Equals(QidoValueMatch? other) =>
        other is not null && Tag == other.Tag && Values.SequenceEqual(other.Values, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Tag);
        foreach (var value in Values)
            hash.Add(value, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Tag} = {string.Join('\\', Values)}";
}

/// <summary>
/// Matches a PN attribute, case-insensitively: <paramref name="Pattern"/> is upper-cased and may hold
/// wildcards. Without '=' it is compared with each component group (alphabetic, ideographic,
/// phonetic) and matches if any group does; with '=' it is compared with the whole name.
/// </summary>
/// <param name="Tag">PatientName or ReferringPhysicianName.</param>
/// <param name="Pattern">Upper-cased (invariant culture; CJK has no case, so it is unchanged), trailing '^' removed.</param>
public sealed record QidoPersonNameMatch(DicomTag Tag, string Pattern) : QidoMatch(Tag)
{
    /// <summary>True when the pattern names several groups and is compared with the whole name.</summary>
    public bool MatchesWholeName => Pattern.Contains('=');
}

/// <summary>
/// Matches a DA or TM attribute within an inclusive range, either end possibly open. Both ends are
/// in the index's normalized form (<c>YYYYMMDD</c>; <c>HHMMSS.FFFFFF</c>), so text comparison orders them.
/// An attribute without a value never matches a range.
/// </summary>
public sealed record QidoRangeMatch(DicomTag Tag, string? Lower, string? Upper) : QidoMatch(Tag);

/// <summary>Matches an IS attribute equal to <paramref name="Value"/>.</summary>
public sealed record QidoIntegerMatch(DicomTag Tag, long Value) : QidoMatch(Tag);
