using System.Collections.Immutable;

namespace OrleansImaging.Dicom;

/// <summary>
/// What the data dictionary knows about one attribute (or one repeating family of attributes):
/// its tag or tag range, keyword, allowed VRs, value multiplicity and status. Entries are
/// shared by every lookup, so everything here is immutable.
/// </summary>
public sealed class DicomDictionaryEntry
{
    internal DicomDictionaryEntry(
        DicomTagRange range, string keyword, ImmutableArray<DicomVR> valueRepresentations, string valueMultiplicity,
        bool isRetired, string? privateCreator)
    {
        Range = range;
        Keyword = keyword;
        ValueRepresentations = valueRepresentations;
        ValueMultiplicity = valueMultiplicity;
        IsRetired = isRetired;
        PrivateCreator = privateCreator;
    }

    /// <summary>The tag, or for a range the lowest tag in it (e.g. (6000,3000) for Overlay Data).</summary>
    public DicomTag Tag => Range.First;

    /// <summary>The tags the entry covers; a single tag unless <see cref="IsRange"/>.</summary>
    public DicomTagRange Range { get; }

    /// <summary>True for repeating groups such as (60xx,3000), element ranges and private entries known by low byte.</summary>
    public bool IsRange => !Range.IsSingle;

    /// <summary>The PS3.6 keyword, e.g. "PatientName"; for a private entry, the name dcmtk gives it.</summary>
    public string Keyword { get; }

    /// <summary>
    /// The VRs the attribute may have, the usual one first: [OB, OW] for Pixel Data and other
    /// "OB or OW" attributes, [US, SS] for "US or SS", [US, SS, OW] for LUT Data. Empty for
    /// items and delimiters, which have no VR. Immutable because every caller shares it.
    /// </summary>
    /// <remarks>
    /// Which of several VRs applies depends on context the dictionary cannot see: in Implicit VR
    /// Little Endian, Pixel Data and Overlay Data are OW (PS3.5 A.1); US or SS follows Pixel
    /// Representation (0028,0103).
    /// </remarks>
    public ImmutableArray<DicomVR> ValueRepresentations { get; }

    /// <summary>The first of <see cref="ValueRepresentations"/>, or <see cref="DicomVR.None"/> when there is none.</summary>
    public DicomVR DefaultVR => ValueRepresentations.IsEmpty ? DicomVR.None : ValueRepresentations[0];

    /// <summary>The value multiplicity as PS3.6 writes it: "1", "2", "1-n", "2-2n", "1-3" and so on.</summary>
    public string ValueMultiplicity { get; }

    /// <summary>True when the standard has retired the attribute.</summary>
    public bool IsRetired { get; }

    /// <summary>The private creator that owns the entry, or null for a standard entry.</summary>
    public string? PrivateCreator { get; }

    /// <summary>Formats as e.g. "(0010,0010) PN 1 PatientName".</summary>
    public override string ToString()
    {
        var vrs = ValueRepresentations.IsEmpty ? "--" : string.Join('/', ValueRepresentations.Select(vr => vr.Code()));
        var creator = PrivateCreator is null ? "" : $" [{PrivateCreator}]";
        return $"{Range} {vrs} {ValueMultiplicity} {Keyword}{creator}{(IsRetired ? " (retired)" : "")}";
    }
}
