namespace OrleansImaging.Dicom.Formatting;

/// <summary>The names the dump prints for tags.</summary>
internal static class DicomAttributeNames
{
    /// <summary>The tag's keyword, or dcmdump's "Unknown Tag &amp; Data" when the dictionary has none.</summary>
    public static string Keyword(DicomTag tag, DicomDataset owner)
    {
        if (tag.IsGroupLength)
            return "GenericGroupLength";
        if (tag.IsPrivateCreator)
            return "PrivateCreator";
        return "Unknown Tag & Data";
    }
}
