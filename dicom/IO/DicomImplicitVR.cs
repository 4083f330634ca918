namespace OrleansImaging.Dicom.IO;

/// <summary>The VR of an element read without one (implicit VR), from the data dictionary.</summary>
internal static class DicomImplicitVR
{
    private static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);

    /// <summary>
    /// The VR for <paramref name="tag"/> in <paramref name="dataset"/>, whose private creators and
    /// Pixel Representation decide the private and US-or-SS cases; <see cref="DicomVR.None"/> when
    /// the dictionary does not know the tag.
    /// </summary>
    public static DicomVR Lookup(DicomTag tag, DicomDataset dataset)
    {
        if (tag.Element == 0)
            return DicomVR.UL;
        var dictionary = DicomDictionary.Default;
        if (tag.IsPrivate)
        {
            if (tag.IsPrivateCreator)
                return DicomVR.LO;
            if (tag.PrivateCreatorTag is { } creatorTag && dataset.GetStringOrNull(creatorTag) is { Length: > 0 } creator
                && dictionary.TryGetPrivateEntry(creator, tag, out var privateEntry))
                return Choose(privateEntry, dataset);
            return DicomVR.None;
        }
        return dictionary.TryGetEntry(tag, out var entry) ? Choose(entry, dataset) : DicomVR.None;
    }

    private static DicomVR Choose(DicomDictionaryEntry entry, DicomDataset dataset)
    {
        var vrs = entry.ValueRepresentations;
        if (vrs.Length <= 1)
            return vrs.IsEmpty ? DicomVR.None : vrs[0];
        // Implicit VR little endian encodes "OB or OW" as OW (PS3.5 A.1), and "US or SS" follows
        // Pixel Representation (0 unsigned, 1 signed) where the data set has it.
        if (vrs.Contains(DicomVR.OW))
            return DicomVR.OW;
        if (vrs.Contains(DicomVR.US) && vrs.Contains(DicomVR.SS))
            return UsOrSs(dataset);
        return vrs[0];
    }

    private static DicomVR UsOrSs(DicomDataset dataset) =>
        dataset.TryGet<ushort>(PixelRepresentation, out var representation) && representation == 1 ? DicomVR.SS : DicomVR.US;
}
