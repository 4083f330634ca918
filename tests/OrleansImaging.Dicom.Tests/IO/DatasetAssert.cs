namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>Compares data sets element by element, naming the path to the first difference.</summary>
internal static class DatasetAssert
{
    /// <summary>
    /// Asserts that <paramref name="actual"/> holds the same tags, raw values (each expected value
    /// padded to even, as written), sequences and fragments as <paramref name="expected"/>.
    /// Group lengths are skipped: the writer drops them. VRs are compared when
    /// <paramref name="compareVR"/> is set (not after implicit VR, which loses them without a dictionary).
    /// </summary>
    public static void Equal(DicomDataset expected, DicomDataset actual, bool compareVR, string path = "")
    {
        var left = expected.Where(a => !a.Tag.IsGroupLength).ToList();
        var right = actual.Where(a => !a.Tag.IsGroupLength).ToList();
        Assert.True(left.Select(a => a.Tag).SequenceEqual(right.Select(a => a.Tag)),
            $"{path}: tags differ. Expected [{string.Join(' ', left.Select(a => a.Tag))}] but found [{string.Join(' ', right.Select(a => a.Tag))}]");
        for (var i = 0; i < left.Count; i++)
        {
            var where = $"{path}{left[i].Tag}";
            if (compareVR && left[i].VR != DicomVR.None)
                Assert.True(left[i].VR == right[i].VR, $"{where}: VR {left[i].VR.Code()} became {right[i].VR.Code()}");
            switch (left[i])
            {
                case DicomElement element:
                    var other = Assert.IsType<DicomElement>(right[i]);
                    var expectedValue = Padded(Value(element), element.VR);
                    Assert.True(expectedValue.AsSpan().SequenceEqual(Value(other)),
                        $"{where}: value differs. Expected {Convert.ToHexString(expectedValue)[..Math.Min(200, expectedValue.Length * 2)]} but found {Convert.ToHexString(Value(other))[..Math.Min(200, (int)other.Length * 2)]}");
                    break;
                case DicomSequence sequence:
                    var otherSequence = Assert.IsType<DicomSequence>(right[i]);
                    Assert.True(sequence.Items.Count == otherSequence.Items.Count, $"{where}: {sequence.Items.Count} items became {otherSequence.Items.Count}");
                    for (var k = 0; k < sequence.Items.Count; k++)
                        Equal(sequence.Items[k], otherSequence.Items[k], compareVR, $"{where}[{k}]/");
                    break;
                case DicomFragmentSequence fragments:
                    var otherFragments = Assert.IsType<DicomFragmentSequence>(right[i]);
                    Assert.Equal(fragments.BasicOffsetTable.ToArray(), otherFragments.BasicOffsetTable.ToArray());
                    Assert.Equal(fragments.Fragments.Count, otherFragments.Fragments.Count);
                    for (var k = 0; k < fragments.Fragments.Count; k++)
                        Assert.True(Padded(fragments.Fragments[k].Data.ToArray(), DicomVR.OB).AsSpan().SequenceEqual(otherFragments.Fragments[k].Data.Span), $"{where} fragment {k} differs");
                    break;
            }
        }
    }

    private static byte[] Value(DicomElement element) =>
        element.IsLoaded ? element.RawValue.ToArray() : element.BulkData!.ReadAllAsync().AsTask().GetAwaiter().GetResult();

    private static byte[] Padded(byte[] value, DicomVR vr) => value.Length % 2 == 0 ? value : [.. value, vr.PaddingByte()];
}
