using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.IO;

/// <summary>
/// Locating values and frames by offset, checked against the same files read whole: every expectation is bytes our
/// reader (or the splitter on loaded fragments) gives when it loads everything.
/// </summary>
public sealed class DicomStoredObjectTests
{
    [Fact]
    public async Task GetFrames_NativeMultiFrame_EachFrameIsItsSliceOfPixelData()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("rtdose.dcm")); // implicit VR, 15 frames of 10x10x32 bits
        var whole = DicomFile.Parse(bytes).Dataset;
        var pixels = ((DicomElement)whole.GetAttribute(DicomTag.PixelData)).RawValue.ToArray();

        var stored = await ReadAsync(bytes, DicomTag.PixelData);
        var frames = stored.GetFrames();

        Assert.Equal(15, frames.Count);
        for (var i = 0; i < frames.Count; i++)
            Assert.Equal(pixels.AsSpan(i * 400, 400).ToArray(), Resolve(bytes, frames[i]));
        Assert.All(frames, f => Assert.True(Assert.Single(f.Segments).IsInObject));
        Assert.False(stored.IsEncapsulated);
    }

    [Theory]
    [InlineData("SC_rgb_rle_2frame.dcm")]
    [InlineData("SC_rgb_rle_32bit_2frame.dcm")]
    [InlineData("JPEG2000.dcm")]
    [InlineData("SC_rgb_jpeg_dcmtk.dcm")]
    [InlineData("JPGExtended.dcm")]
    [InlineData("rtdose_rle.dcm")]
    public async Task GetFrames_Encapsulated_SameFragmentsAsSplittingTheLoadedFile(string name)
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile(name));
        var whole = DicomFile.Parse(bytes).Dataset;
        var loaded = (DicomFragmentSequence)whole.GetAttribute(DicomTag.PixelData);
        var expected = loaded.SplitIntoFrames(whole.GetOrDefault(DicomTag.NumberOfFrames, 1))
            .Select(f => f.SelectMany(fragment => fragment.Data.ToArray()).ToArray()).ToList();

        var stored = await ReadAsync(bytes, DicomTag.PixelData);
        var frames = stored.GetFrames();

        Assert.True(stored.IsEncapsulated);
        Assert.Equal(expected.Count, frames.Count);
        for (var i = 0; i < frames.Count; i++)
            Assert.Equal(expected[i], Resolve(bytes, frames[i]));
    }

    [Fact]
    public async Task GetFrames_EncapsulatedWithoutOffsetTable_SplitsAtJpegStartMarkersReadFromTheObject()
    {
        var first = Fragment(600, 0xFF, 0xD8);
        var middle = Fragment(400, 0x01, 0x02);
        var second = Fragment(300, 0xFF, 0xD8);
        var pixels = new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB);
        foreach (var fragment in new[] { first, middle, second })
            pixels.Add(new DicomFragment(fragment));
        var bytes = Save(Image(frames: 2, rows: 4, columns: 4, bitsAllocated: 8).Add(pixels), DicomTransferSyntax.JpegBaseline);

        var frames = (await ReadAsync(bytes, DicomTag.PixelData)).GetFrames();

        Assert.Equal(2, frames.Count);
        Assert.Equal([.. first, .. middle], Resolve(bytes, frames[0]));
        Assert.Equal(second, Resolve(bytes, frames[1]));
    }

    [Fact]
    public async Task GetFrames_BitsAllocated1MultiFrameNotOnByteBoundary_RefusedSayingWhy()
    {
        var bytes = Save(Image(frames: 2, rows: 3, columns: 3, bitsAllocated: 1).Add(DicomTag.PixelData, DicomVR.OB, new byte[4]), DicomTransferSyntax.ExplicitVRLittleEndian);

        var stored = await ReadAsync(bytes, DicomTag.PixelData);

        var error = Assert.Throws<DicomException>(() => stored.GetFrames());
        Assert.Contains("byte boundaries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetFrames_BitsAllocated1OnByteBoundary_PackedFrameBytes()
    {
        var value = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var bytes = Save(Image(frames: 2, rows: 8, columns: 8, bitsAllocated: 1).Add(DicomTag.PixelData, DicomVR.OB, value), DicomTransferSyntax.ExplicitVRLittleEndian);

        var frames = (await ReadAsync(bytes, DicomTag.PixelData)).GetFrames();

        Assert.Equal(value[..8], Resolve(bytes, frames[0]));
        Assert.Equal(value[8..], Resolve(bytes, frames[1]));
    }

    [Fact]
    public async Task GetFrames_FewerBytesThanFrames_Refused()
    {
        var bytes = Save(Image(frames: 3, rows: 16, columns: 16, bitsAllocated: 8).Add(DicomTag.PixelData, DicomVR.OB, new byte[512]), DicomTransferSyntax.ExplicitVRLittleEndian);

        var stored = await ReadAsync(bytes, DicomTag.PixelData);

        Assert.Throws<DicomException>(() => stored.GetFrames());
    }

    [Fact]
    public async Task GetFrames_NoPixelData_Refused()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("rtplan.dcm"));

        var stored = await ReadAsync(bytes, DicomTag.PixelData);

        Assert.False(stored.HasPixelData);
        Assert.Contains("no pixel data", Assert.Throws<DicomException>(() => stored.GetFrames()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_BulkValueInsideASequence_LocatedBytesEqualTheLoadedValue()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("waveform_ecg.dcm"));
        var path = new DicomBulkDataPath([new OrleansImaging.Dicom.Json.DicomJsonPathStep(new DicomTag(0x5400, 0x0100), 0)], new DicomTag(0x5400, 0x1010));
        var expected = ((DicomElement)path.Find(DicomFile.Parse(bytes).Dataset)!).RawValue.ToArray();

        var stored = await ReadAsync(bytes, path.TopLevelTag);
        var element = Assert.IsType<DicomElement>(stored.Find(path));

        var location = DicomStoredObject.Locate(element);
        Assert.True(Assert.Single(location.Segments).IsInObject);
        Assert.Equal(expected, Resolve(bytes, location));
    }

    [Fact]
    public async Task Find_ReadsNoFurtherThanTheTopLevelAttribute()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("CT_small.dcm"));

        var stored = await ReadAsync(bytes, DicomTag.PatientName);

        Assert.True(stored.File.Dataset.Contains(DicomTag.PatientName));
        Assert.False(stored.File.Dataset.Contains(DicomTag.PatientID));
        Assert.False(stored.HasPixelData);
    }

    [Fact]
    public async Task ReadAsync_DeflatedPixelData_RefusedRatherThanInflatedIntoMemory()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("image_dfl.dcm"));

        await Assert.ThrowsAsync<DicomException>(() => ReadAsync(bytes, DicomTag.PixelData));
    }

    [Theory]
    [InlineData("CT_small.dcm", false)]
    [InlineData("MR_small_implicit.dcm", false)]
    [InlineData("MR_small_bigendian.dcm", false)]
    [InlineData("JPEG2000.dcm", true)]
    public async Task DescribeStoppedPixelData_AtTheHeaderStop_SameRangeAsTheLocator(string name, bool encapsulated)
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile(name));
        var header = DicomFile.Parse(bytes, DicomReadOptions.HeaderOnly);
        var offset = header.StoppedAtOffset!.Value;

        var described = DicomStoredObject.DescribeStoppedPixelData(bytes.AsSpan((int)offset, 12), offset, header.TransferSyntax);

        var stored = await ReadAsync(bytes, DicomTag.PixelData);
        if (encapsulated)
        {
            Assert.IsType<DicomFragmentSequence>(described);
            Assert.Equal(DicomVR.OB, described.VR);
        }
        else
        {
            var element = Assert.IsType<DicomElement>(described);
            var located = (DicomElement)stored.PixelData!;
            Assert.Equal(located.VR, element.VR);
            Assert.Equal(located.Length, element.BulkData!.Length);
            if (located.BulkData is { } reference)
                Assert.Equal(reference.Offset, element.BulkData.Offset);
        }
    }

    [Fact]
    public void DescribeStoppedPixelData_AnotherElement_Null()
    {
        byte[] header = [0xE1, 0x7F, 0x10, 0x00, (byte)'L', (byte)'O', 4, 0, 0, 0, 0, 0];

        Assert.Null(DicomStoredObject.DescribeStoppedPixelData(header, 1000, DicomTransferSyntax.ExplicitVRLittleEndian));
    }

    private static async Task<DicomStoredObject> ReadAsync(byte[] bytes, DicomTag through)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return await DicomStoredObject.ReadAsync(stream, through);
    }

    private static byte[] Resolve(byte[] bytes, DicomValueLocation location) =>
        [.. location.Segments.SelectMany(s => s.IsInObject ? bytes.AsSpan((int)s.Offset, (int)s.Length).ToArray() : s.Bytes.ToArray())];

    private static byte[] Fragment(int length, byte first, byte second)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        bytes[0] = first;
        bytes[1] = second;
        return bytes;
    }

    private static DicomDataset Image(int frames, ushort rows, ushort columns, ushort bitsAllocated) => new DicomDataset()
        .Add(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7")
        .Add(DicomTag.SOPInstanceUID, "1.2.3.4.5.6.7")
        .Add(DicomTag.SamplesPerPixel, (ushort)1)
        .Add(DicomTag.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Add(DicomTag.Rows, rows)
        .Add(DicomTag.Columns, columns)
        .Add(DicomTag.BitsAllocated, bitsAllocated);

    private static byte[] Save(DicomDataset dataset, DicomTransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, syntax).Save(stream);
        return stream.ToArray();
    }
}
