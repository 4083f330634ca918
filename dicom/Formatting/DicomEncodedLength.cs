namespace OrleansImaging.Dicom.Formatting;

/// <summary>
/// The length sequences and items would have with explicit lengths, for the dump's length column:
/// the reader does not keep the lengths it read, and a data set may not have been read at all.
/// </summary>
internal static class DicomEncodedLength
{
    public static long Of(DicomSequence sequence, bool explicitVR)
    {
        long length = 0;
        foreach (var item in sequence.Items)
            length += 8 + Of(item, explicitVR);
        return length;
    }

    public static long Of(DicomDataset dataset, bool explicitVR)
    {
        long length = 0;
        foreach (var attribute in dataset)
        {
            var header = !explicitVR ? 8 : attribute.VR.HasLongExplicitLength() || attribute.VR == DicomVR.None ? 12 : 8;
            length += header + attribute switch
            {
                DicomSequence sequence => Of(sequence, explicitVR) + (sequence.WasUndefinedLength ? 8 : 0),
                DicomFragmentSequence fragments => 8 + fragments.BasicOffsetTable.Length + fragments.Fragments.Sum(f => 8 + f.Length) + 8,
                DicomElement element => element.Length,
                _ => 0,
            };
        }
        return length;
    }
}
