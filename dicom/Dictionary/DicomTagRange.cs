using System.Globalization;

namespace OrleansImaging.Dicom;

/// <summary>
/// The tags a dictionary entry covers: a group range and an element range, each stepped.
/// A single tag has equal bounds; the overlay groups (60xx,eeee) step by 2 from 6000 to 60FF;
/// a private element known by its low byte, (gggg,xxee), steps by 0100 from 10ee to FFee.
/// </summary>
public readonly struct DicomTagRange : IEquatable<DicomTagRange>
{
    /// <summary>Creates a range; steps must be at least 1 and bounds in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A step is 0 or a last bound is below its first.</exception>
    public DicomTagRange(ushort firstGroup, ushort lastGroup, ushort groupStep, ushort firstElement, ushort lastElement, ushort elementStep)
    {
        ArgumentOutOfRangeException.ThrowIfZero(groupStep);
        ArgumentOutOfRangeException.ThrowIfZero(elementStep);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastGroup, firstGroup);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastElement, firstElement);
        FirstGroup = firstGroup;
        LastGroup = lastGroup;
        GroupStep = groupStep;
        FirstElement = firstElement;
        LastElement = lastElement;
        ElementStep = elementStep;
    }

    // Needs no checks, and the dictionary makes thousands of these at start-up.
    private DicomTagRange(ushort group, ushort element)
    {
        FirstGroup = LastGroup = group;
        FirstElement = LastElement = element;
        GroupStep = ElementStep = 1;
    }

    /// <summary>A range holding exactly one tag.</summary>
    public static DicomTagRange Single(DicomTag tag) => new(tag.Group, tag.Element);

    /// <summary>The lowest group in the range.</summary>
    public ushort FirstGroup { get; }

    /// <summary>The highest group the range may reach (the last member may be lower when stepping).</summary>
    public ushort LastGroup { get; }

    /// <summary>The distance between member groups: 1 for every group, 2 for every other.</summary>
    public ushort GroupStep { get; }

    /// <summary>The lowest element in the range.</summary>
    public ushort FirstElement { get; }

    /// <summary>The highest element the range may reach.</summary>
    public ushort LastElement { get; }

    /// <summary>The distance between member elements.</summary>
    public ushort ElementStep { get; }

    /// <summary>The lowest tag of the range, the one dictionaries and keyword constants name.</summary>
    public DicomTag First => new(FirstGroup, FirstElement);

    /// <summary>True when the range holds one tag only.</summary>
    public bool IsSingle => FirstGroup == LastGroup && FirstElement == LastElement;

    /// <summary>True when <paramref name="tag"/> is one of the range's tags.</summary>
    public bool Contains(DicomTag tag)
    {
        int group = tag.Group, element = tag.Element;
        return group >= FirstGroup && group <= LastGroup && (group - FirstGroup) % GroupStep == 0
            && element >= FirstElement && element <= LastElement && (element - FirstElement) % ElementStep == 0;
    }

    /// <summary>Formats as "(6000-60FF,3000)", or "(gggg,eeee)" for a single tag.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"({Bounds(FirstGroup, LastGroup)},{Bounds(FirstElement, LastElement)})");

    /// <inheritdoc />
    public bool Equals(DicomTagRange other) =>
        FirstGroup == other.FirstGroup && LastGroup == other.LastGroup && GroupStep == other.GroupStep
        && FirstElement == other.FirstElement && LastElement == other.LastElement && ElementStep == other.ElementStep;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DicomTagRange other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(FirstGroup, LastGroup, GroupStep, FirstElement, LastElement, ElementStep);

    /// <summary>Equality.</summary>
    public static bool operator ==(DicomTagRange left, DicomTagRange right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(DicomTagRange left, DicomTagRange right) => !left.Equals(right);

    private static string Bounds(ushort first, ushort last) => first == last
        ? first.ToString("X4", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{first:X4}-{last:X4}");
}
