namespace OrleansImaging.Dicom.IO;

/// <summary>The VR of an element read without one (implicit VR), from the data dictionary.</summary>
internal static class DicomImplicitVR
{
    /// <summary>
    /// The VR for <paramref name="tag"/> in <paramref name="dataset"/> (whose private creators apply):
    /// the first VR the dictionary gives (US for "US or SS" and the like), or <see cref="DicomVR.None"/>
    /// when neither the standard nor the private dictionary knows the tag.
    /// </summary>
    public static DicomVR Lookup(DicomTag tag, DicomDataset dataset)
    {
        if (tag.Element == 0)
            return DicomVR.UL;
        if (tag.IsPrivateCreator)
            return DicomVR.LO;
        if (tag.PrivateCreatorTag is { } creatorTag)
        {
            return dataset.TryGetAttribute(creatorTag, out var attribute) && attribute is DicomElement { IsLoaded: true } creator
                && DicomDictionary.Default.TryGetPrivateEntry(creator.GetText(dataset.CharacterSet), tag, out var privateEntry)
                ? privateEntry.DefaultVR
                : DicomVR.None;
        }
        return DicomDictionary.Default.TryGetEntry(tag, out var entry) ? entry.DefaultVR : DicomVR.None;
    }
}
