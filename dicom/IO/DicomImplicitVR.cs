namespace OrleansImaging.Dicom.IO;

/// <summary>The VR of an element read without one (implicit VR), from the data dictionary.</summary>
internal static class DicomImplicitVR
{
    /// <summary>The VR for <paramref name="tag"/> in <paramref name="dataset"/> (whose private creators apply).</summary>
    public static DicomVR Lookup(DicomTag tag, DicomDataset dataset)
    {
        if (tag.Element == 0)
            return DicomVR.UL;
        if (tag.IsPrivateCreator)
            return DicomVR.LO;
        return DicomVR.None;
    }
}
