namespace OrleansImaging.Dicom.IO;

/// <summary>The VR of an element read without one (implicit VR), from the data dictionary.</summary>
internal static class DicomImplicitVR
{
    private static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);

    /// <summary>
    /// The VR for <paramref name="tag"/> in <paramref name="dataset"/> (whose private creators apply),
    /// or <see cref="DicomVR.None"/> when neither the standard nor the private dictionary knows the tag.
    /// </summary>
    public static DicomVR Lookup(DicomTag tag, DicomDataset dataset)
    {
        if (tag.Element == 0)
            return DicomVR.UL;
        if (tag.IsPrivateCreator)
            return DicomVR.LO;
        DicomDictionaryEntry? entry;
        if (tag.PrivateCreatorTag is { } creatorTag)
        {
            if (!dataset.TryGetAttribute(creatorTag, out var attribute) || attribute is not DicomElement { IsLoaded: true } creator
                || !DicomDictionary.Default.TryGetPrivateEntry(creator.GetText(dataset.CharacterSet), tag, out entry))
                return DicomVR.None;
        }
        else if (!DicomDictionary.Default.TryGetEntry(tag, out entry))
        {
            return DicomVR.None;
        }
        return entry.ValueRepresentations.Length > 1 ? Resolve(entry, dataset) : entry.DefaultVR;
    }

    /// <summary>
    /// Chooses among the VRs the dictionary allows, as PS3.5 says for implicit VR: "OB or OW" is OW
    /// (Annex A.1, e.g. Pixel Data), "US or SS" follows Pixel Representation (C.7.6.3.1.3: 1 means
    /// signed). Anything else takes the dictionary's first VR.
    /// </summary>
    private static DicomVR Resolve(DicomDictionaryEntry entry, DicomDataset dataset)
    {
        var vrs = entry.ValueRepresentations;
        if (vrs.Contains(DicomVR.OB) && vrs.Contains(DicomVR.OW))
            return DicomVR.OW;
        if (vrs.Contains(DicomVR.US) && vrs.Contains(DicomVR.SS))
            return IsSigned(dataset) ? DicomVR.SS : DicomVR.US;
        return entry.DefaultVR;
    }

    private static bool IsSigned(DicomDataset dataset)
    {
        for (var current = dataset; current is not null; current = current.Parent)
        {
            if (current.TryGet<ushort>(PixelRepresentation, out var representation))
                return representation == 1;
        }
        return false;
    }
}
