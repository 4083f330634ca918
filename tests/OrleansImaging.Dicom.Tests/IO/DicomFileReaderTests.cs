using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.IO;

public sealed class DicomFileReaderTests
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag Rows = new(0x0028, 0x0010);
    private static readonly DicomTag PixelData = new(0x7FE0, 0x0010);
    private static readonly DicomTag ImagePositionPatient = new(0x0020, 0x0032);
    private static readonly DicomTag XrayChain = new(0x0043, 0x1012);

    [Theory]
    [InlineData("CT_small.dcm", "1.2.840.10008.1.2.1")]
    [InlineData("MR_small_implicit.dcm", "1.2.840.10008.1.2")]
    [InlineData("MR_small_bigendian.dcm", "1.2.840.10008.1.2.2")]
    [InlineData("image_dfl.dcm", "1.2.840.10008.1.2.1.99")]
    [InlineData("MR_small_RLE.dcm", "1.2.840.10008.1.2.5")]
    public void Open_EachTransferSyntax_ReadsTheDeclaredSyntax(string name, string expectedUid)
    {
        var file = DicomFile.Open(TestCorpus.TestFile(name));

        Assert.Equal(expectedUid, file.TransferSyntax.Uid);
        Assert.True(file.HadPreamble);
        Assert.True(file.Dataset.Count > 10);
    }

    [Fact]
    public void Open_ExplicitLittleEndian_DecodesTypedValues()
    {
        var dataset = DicomFile.Open(TestCorpus.TestFile("CT_small.dcm")).Dataset;

        Assert.Equal("CompressedSamples^CT1", dataset.Get<string>(PatientName));
        Assert.Equal((ushort)128, dataset.Get<ushort>(Rows));
        Assert.Equal(-179.035797, dataset.Get<double>(ImagePositionPatient, 1), 6);
        Assert.Equal(new short[] { 14, 2, 3 }, dataset.GetValues<short>(XrayChain));
        Assert.Equal(3, ((DicomElement)dataset.GetAttribute(ImagePositionPatient)).Count);
    }

    [Fact]
    public void Open_BigEndian_ValuesEqualTheLittleEndianFile()
    {
        var little = DicomFile.Open(TestCorpus.TestFile("MR_small.dcm")).Dataset;
        var big = DicomFile.Open(TestCorpus.TestFile("MR_small_bigendian.dcm")).Dataset;

        Assert.Equal(little.Get<ushort>(Rows), big.Get<ushort>(Rows));
        var littlePixels = ((DicomElement)little.GetAttribute(PixelData)).RawValue.ToArray();
        var bigPixels = ((DicomElement)big.GetAttribute(PixelData)).RawValue.ToArray();
        Assert.Equal(littlePixels, bigPixels);
    }

    [Fact]
    public void Open_Deflated_InflatesTheDataSet()
    {
        var file = DicomFile.Open(TestCorpus.TestFile("image_dfl.dcm"));

        Assert.True(file.TransferSyntax.IsDeflated);
        Assert.True(file.Dataset.Contains(PixelData));
    }

    [Fact]
    public void Open_Encapsulated_KeepsOffsetTableAndFragments()
    {
        var file = DicomFile.Open(TestCorpus.TestFile("MR_small_RLE.dcm"));

        var pixels = Assert.IsType<DicomFragmentSequence>(file.Dataset.GetAttribute(PixelData));
        Assert.Equal(new uint[] { 0 }, pixels.GetBasicOffsets());
        var fragment = Assert.Single(pixels.Fragments);
        Assert.Equal(6108, fragment.Length);
        Assert.Equal(2, fragment.Data.Span[0]); // an RLE header starts with the segment count
    }

    [Fact]
    public void Parse_HeaderOnly_StopsBeforePixelData()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("CT_small.dcm"));

        var file = DicomFile.Parse(bytes, DicomReadOptions.HeaderOnly);

        Assert.False(file.Dataset.Contains(PixelData));
        Assert.True(file.Dataset.Contains(Rows));
        Assert.NotNull(file.StoppedAtOffset);
        Assert.Equal(PixelData.Group, System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)file.StoppedAtOffset!.Value)));
    }

    [Fact]
    public void Parse_InMemory_ValuesAreSlicesOfTheInput()
    {
        var bytes = File.ReadAllBytes(TestCorpus.TestFile("CT_small.dcm"));

        var pixels = (DicomElement)DicomFile.Parse(bytes).Dataset.GetAttribute(PixelData);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(pixels.RawValue, out var segment));
        Assert.Same(bytes, segment.Array);
    }

    [Fact]
    public async Task OpenAsync_WithBulkThreshold_LeavesPixelDataInTheFile()
    {
        var path = TestCorpus.TestFile("CT_small.dcm");
        var inMemory = (DicomElement)DicomFile.Open(path).Dataset.GetAttribute(PixelData);

        var file = await DicomFile.OpenAsync(path, new DicomReadOptions { BulkDataThreshold = 1024 });

        var pixels = (DicomElement)file.Dataset.GetAttribute(PixelData);
        Assert.False(pixels.IsLoaded);
        Assert.Equal(inMemory.Length, pixels.Length);
        Assert.Equal(inMemory.RawValue.ToArray(), await pixels.BulkData!.ReadAllAsync());
    }

    [Fact]
    public async Task ReadAsync_NonSeekableStream_GivesTheSameDataSetAsParse()
    {
        foreach (var name in new[] { "CT_small.dcm", "rtplan.dcm", "nested_priv_SQ.dcm", "image_dfl.dcm", "MR_small_bigendian.dcm" })
        {
            var bytes = File.ReadAllBytes(TestCorpus.TestFile(name));
            var expected = DicomFile.Parse(bytes).Dataset;

            var actual = (await DicomFile.ReadAsync(new Robustness.NonSeekableStream(bytes, maxRead: 7))).Dataset;

            Assert.Equal(Flatten(expected), Flatten(actual));
        }
    }

    [Fact]
    public void Open_NestedSequences_ReadsItemsAndInheritsNothingWrong()
    {
        var dataset = DicomFile.Open(TestCorpus.TestFile("nested_priv_SQ.dcm")).Dataset;

        var outer = Assert.IsType<DicomSequence>(dataset.GetAttribute(new DicomTag(0x0001, 0x0001)));
        var item = Assert.Single(outer.Items);
        Assert.Same(dataset, item.Parent);
        var inner = Assert.IsType<DicomSequence>(item.GetAttribute(new DicomTag(0x0001, 0x0001)));
        var innerItem = Assert.Single(inner.Items);
        Assert.Equal("Double Nested SQ"u8.ToArray(), ((DicomElement)innerItem.GetAttribute(new DicomTag(0x0001, 0x0001))).RawValue.ToArray());
    }

    [Fact]
    public void Open_UndefinedLengthUN_ReadsItAsAnImplicitSequence()
    {
        var dataset = DicomFile.Open(TestCorpus.TestFile("UN_sequence.dcm")).Dataset;

        var sequence = Assert.IsType<DicomSequence>(dataset.GetAttribute(new DicomTag(0x4453, 0x100C)));
        Assert.True(sequence.WasUndefinedLength);
        Assert.NotEmpty(sequence.Items);
    }

    [Fact]
    public void Parse_NoPreambleNoMeta_ReadsBareDataSetWithWarning()
    {
        var file = DicomFile.Open(TestCorpus.TestFile("ExplVR_LitEndNoMeta.dcm"));

        Assert.False(file.HadPreamble);
        Assert.Equal(0, file.FileMetaInformation.Count);
        Assert.Contains(file.Warnings, w => w.Contains("no File Meta Information", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("MR_truncated.dcm", "(7FE0,0010)")]
    [InlineData("rtplan_truncated.dcm", "(300A,00B0)")]
    public void Open_TruncatedFile_ThrowsDicomExceptionNamingOffsetAndTag(string name, string tag)
    {
        var ex = Assert.Throws<DicomException>(() => DicomFile.Open(TestCorpus.TestFile(name)));

        Assert.Contains(tag, ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.Offset);
        Assert.Contains($"offset {ex.Offset}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("README.txt")]
    [InlineData("test1.json")]
    [InlineData("zipMR.gz")]
    public void Open_NotDicom_ThrowsNotDicom(string name)
    {
        var ex = Assert.Throws<DicomException>(() => DicomFile.Open(TestCorpus.TestFile(name)));

        Assert.StartsWith("Not DICOM", ex.Message, StringComparison.Ordinal);
    }

    private static List<string> Flatten(DicomDataset dataset)
    {
        var lines = new List<string>();
        void Walk(DicomDataset ds, string indent)
        {
            foreach (var attribute in ds)
            {
                switch (attribute)
                {
                    case DicomElement e:
                        lines.Add($"{indent}{e.Tag} {e.VR.Code()} {Convert.ToHexString(e.RawValue.Span)}");
                        break;
                    case DicomSequence s:
                        lines.Add($"{indent}{s.Tag} SQ {s.Items.Count}");
                        foreach (var item in s.Items)
                            Walk(item, indent + "  ");
                        break;
                    case DicomFragmentSequence f:
                        lines.Add($"{indent}{f.Tag} {Convert.ToHexString(f.BasicOffsetTable.Span)} {string.Join(',', f.Fragments.Select(x => Convert.ToHexString(x.Data.Span)))}");
                        break;
                }
            }
        }
        Walk(dataset, "");
        return lines;
    }
}

public sealed class DicomFileReaderCharacterSetTests
{
    [Fact]
    public void Parse_UndeclaredGbkWithFallback_DecodesChineseName()
    {
        var gbk = OrleansImaging.Dicom.Text.DicomCharacterSet.Parse("GBK");
        var dataset = new DicomDataset().Add(DicomTag.PatientName, DicomVR.PN, gbk.Encode("王^小东", DicomVR.PN));
        var bytes = new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).ToBytesForTest();

        var undeclared = DicomFile.Parse(bytes).Dataset;
        var withFallback = DicomFile.Parse(bytes, new DicomReadOptions { FallbackCharacterSet = gbk }).Dataset;

        Assert.Contains('\uFFFD', undeclared.Get<string>(DicomTag.PatientName));
        Assert.Equal("王^小东", withFallback.Get<string>(DicomTag.PatientName));
    }
}

internal static class DicomFileTestExtensions
{
    public static byte[] ToBytesForTest(this DicomFile file)
    {
        using var stream = new MemoryStream();
        file.Save(stream);
        return stream.ToArray();
    }
}
