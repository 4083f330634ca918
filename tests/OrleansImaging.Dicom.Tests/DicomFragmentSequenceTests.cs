namespace OrleansImaging.Dicom.Tests;

public sealed class DicomFragmentSequenceTests
{
    [Fact]
    public void SplitIntoFrames_RleTwoFramesWithOffsetTable_OneFragmentEach()
    {
        var dataset = DicomFile.Open(TestCorpus.TestFile("SC_rgb_rle_2frame.dcm")).Dataset;
        var pixels = (DicomFragmentSequence)dataset.GetAttribute(DicomTag.PixelData);

        var frames = pixels.SplitIntoFrames(dataset.Get<int>(DicomTag.NumberOfFrames));

        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.Single(f));
        Assert.Equal(pixels.Fragments[1], frames[1][0]);
    }

    [Fact]
    public void SplitIntoFrames_ByBasicOffsets_GroupsFragments()
    {
        var pixels = Build([0, 28], Fragment(0xFF, 0xD8, 1, 2), Fragment(3, 4, 5, 6, 7, 8, 9, 10), Fragment(0xFF, 0xD8, 0, 0));

        var frames = pixels.SplitIntoFrames(2);

        Assert.Equal([2, 1], frames.Select(f => f.Length));
    }

    [Fact]
    public void SplitIntoFrames_NoOffsetsJpegMarkers_SplitsAtStartOfImage()
    {
        var pixels = Build([], Fragment(0xFF, 0xD8, 1, 2), Fragment(3, 4), Fragment(0xFF, 0xD8, 0, 0));

        var frames = pixels.SplitIntoFrames(2);

        Assert.Equal([2, 1], frames.Select(f => f.Length));
    }

    [Fact]
    public void SplitIntoFrames_OffsetInsideAFragment_Throws()
    {
        var pixels = Build([0, 10], Fragment(1, 2, 3, 4), Fragment(5, 6));

        Assert.Throws<DicomException>(() => pixels.SplitIntoFrames(2));
    }

    [Fact]
    public void SplitIntoFrames_ExtendedOffsetsWinOverBasic()
    {
        var pixels = Build([0, 12], Fragment(1, 2, 3, 4), Fragment(5, 6), Fragment(7, 8));

        var frames = pixels.SplitIntoFrames(2, [0, 22]);

        Assert.Equal([2, 1], frames.Select(f => f.Length));
    }

    private static DicomFragment Fragment(params byte[] bytes) => new(bytes);

    private static DicomFragmentSequence Build(uint[] offsets, params DicomFragment[] fragments)
    {
        var table = new byte[offsets.Length * 4];
        for (var i = 0; i < offsets.Length; i++)
            BitConverter.TryWriteBytes(table.AsSpan(i * 4), offsets[i]);
        var sequence = new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB) { BasicOffsetTable = table };
        foreach (var fragment in fragments)
            sequence.Add(fragment);
        return sequence;
    }
}
