using System.Buffers.Binary;
using System.Text;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.IO;

public sealed class DicomFileWriteTests(TempFolder folder) : IClassFixture<TempFolder>
{
    private static readonly DicomTag SourceAETitle = new(0x0002, 0x0016);

    [Fact]
    public void Save_Dataset_WritesPreambleAndRegeneratedMeta()
    {
        var oldMeta = new DicomDataset()
            .Add(new DicomTag(0x0002, 0x0002), DicomVR.UI, "1.2.3")
            .Add(new DicomTag(0x0002, 0x0012), DicomVR.UI, "1.2.3.4.5.6")
            .Add(SourceAETitle, DicomVR.AE, "MODALITY");
        using var stream = new MemoryStream();

        new DicomFile(oldMeta, Samples.Dataset(), DicomTransferSyntax.ExplicitVRLittleEndian).Save(stream);
        var bytes = stream.ToArray();
        var meta = DicomFile.Parse(bytes).FileMetaInformation;

        Assert.True(bytes.AsSpan(0, 128).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal("DICM"u8.ToArray(), bytes[128..132]);
        Assert.Equal(new byte[] { 0, 1 }, meta.Get<byte[]>(new DicomTag(0x0002, 0x0001)));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.7", meta.GetStringOrNull(new DicomTag(0x0002, 0x0002)));
        Assert.Equal("1.2.826.0.1.3680043.2.1125.1", meta.GetStringOrNull(new DicomTag(0x0002, 0x0003)));
        Assert.Equal("1.2.840.10008.1.2.1", meta.GetStringOrNull(new DicomTag(0x0002, 0x0010)));
        Assert.Equal(DicomImplementation.ClassUid, meta.GetStringOrNull(new DicomTag(0x0002, 0x0012)));
        Assert.Equal(DicomImplementation.VersionName, meta.GetStringOrNull(new DicomTag(0x0002, 0x0013)));
        Assert.Equal("MODALITY", meta.GetStringOrNull(SourceAETitle));
        var groupLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(140, 4));
        Assert.Equal(new byte[] { 0x08, 0x00, 0x05, 0x00 }, bytes[(int)(144 + groupLength)..(int)(148 + groupLength)]);
    }

    [Fact]
    public void Create_DatasetWithoutSopUids_KeepsExistingMediaStorageUids()
    {
        var existing = new DicomDataset()
            .Add(new DicomTag(0x0002, 0x0002), DicomVR.UI, "1.2.3")
            .Add(new DicomTag(0x0002, 0x0003), DicomVR.UI, "1.2.3.4");

        var meta = DicomFileMetaInformation.Create(new DicomDataset(), DicomTransferSyntax.ImplicitVRLittleEndian, existing);

        Assert.Equal("1.2.3", meta.GetStringOrNull(new DicomTag(0x0002, 0x0002)));
        Assert.Equal("1.2.3.4", meta.GetStringOrNull(new DicomTag(0x0002, 0x0003)));
        Assert.Equal("1.2.840.10008.1.2", meta.GetStringOrNull(new DicomTag(0x0002, 0x0010)));
    }

    [Fact]
    public void DicomImplementation_Constants_AreValidUidAndShortString()
    {
        Assert.StartsWith("2.25.", DicomImplementation.ClassUid, StringComparison.Ordinal);
        Assert.True(DicomImplementation.ClassUid.Length <= 64);
        Assert.True(DicomImplementation.VersionName.Length <= 16);
    }

    [Fact]
    public async Task SaveAsync_Path_ReadsBackEqual()
    {
        var path = Path.Combine(folder.Path, "sample.dcm");
        var dataset = Samples.Dataset();

        await new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRBigEndian).SaveAsync(path);
        var reread = await DicomFile.OpenAsync(path);

        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian, reread.TransferSyntax);
        DatasetAssert.Equal(dataset, reread.Dataset, compareVR: true);
    }

    [Fact]
    public void Save_PathWhenEncodingFails_LeavesNoFile()
    {
        var path = Path.Combine(folder.Path, "refused.dcm");
        var dataset = new DicomDataset(Samples.Fragments(new byte[] { 1, 2 }));

        Assert.Throws<DicomException>(() => new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task SaveAsync_Cancelled_Throws()
    {
        using var stream = new MemoryStream();
        var file = new DicomFile(new DicomDataset(), Samples.Dataset(), DicomTransferSyntax.ExplicitVRLittleEndian);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => file.SaveAsync(stream, cancellationToken: new CancellationToken(canceled: true)));
    }

    [Fact]
    public void WithTransferSyntax_CompressedToUncompressed_Throws()
    {
        var file = new DicomFile(new DicomDataset(), new DicomDataset(Samples.Fragments(new byte[] { 1, 2 })), DicomTransferSyntax.JpegBaseline);

        Assert.Throws<DicomException>(() => file.WithTransferSyntax(DicomTransferSyntax.ExplicitVRLittleEndian));
    }

    [Fact]
    public void WithTransferSyntax_UncompressedToCompressed_Throws()
    {
        var file = new DicomFile(new DicomDataset(), Samples.Dataset(), DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.Throws<DicomException>(() => file.WithTransferSyntax(DicomTransferSyntax.Jpeg2000Lossless));
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.2")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    public void Save_BulkDataReferences_SameBytesAsLoadedValues(string syntaxUid)
    {
        var syntax = DicomTransferSyntax.Lookup(syntaxUid);
        var source = Path.Combine(Corpus.Root, "test_files", "CT_small.dcm");
        var loaded = DicomFile.Open(source).WithTransferSyntax(syntax);
        var referenced = DicomFile.Open(source, new DicomReadOptions { BulkDataThreshold = 256 }).WithTransferSyntax(syntax);
        Assert.Contains(referenced.Dataset, a => a is DicomElement { IsLoaded: false });
        using var fromLoaded = new MemoryStream();
        using var fromReferences = new MemoryStream();

        loaded.Save(fromLoaded);
        referenced.Save(fromReferences);

        Assert.Equal(fromLoaded.ToArray(), fromReferences.ToArray());
    }

    [Theory]
    [InlineData("test_files/dicomdirtests/DICOMDIR")]
    [InlineData("test_files/dicomdirtests/DICOMDIR-implicit")]
    [InlineData("test_files/dicomdirtests/DICOMDIR-bigEnd")]
    [InlineData("test_files/dicomdirtests/DICOMDIR-nooffset")]
    [InlineData("test_files/dicomdirtests/TINY_ALPHA/DICOMDIR")]
    public void Save_Dicomdir_EveryOffsetPointsAtARecordItem(string file)
    {
        var original = DicomFile.Open(Path.Combine(Corpus.Root, file));
        using var stream = new MemoryStream();

        original.Save(stream);
        var bytes = stream.ToArray();
        var reread = DicomFile.Parse(bytes);

        var offsets = Offsets(reread.Dataset, 0x1200, 0x1202).ToList();
        // Read back in implicit VR with no dictionary, the record sequence stays a plain value; the
        // top-level offsets are still checked here, and the dcmdump peer test checks every record.
        var records = reread.Dataset.GetSequenceOrDefault(new DicomTag(0x0004, 0x1220));
        Assert.True(records is not null || !original.TransferSyntax.IsExplicitVR);
        foreach (var record in records?.Items ?? [])
            offsets.AddRange(Offsets(record, 0x1400, 0x1420));
        Assert.NotEmpty(offsets);
        var itemTag = original.TransferSyntax.IsBigEndian ? new byte[] { 0xFF, 0xFE, 0xE0, 0x00 } : [0xFE, 0xFF, 0x00, 0xE0];
        foreach (var offset in offsets)
            Assert.True(bytes.AsSpan((int)offset, 4).SequenceEqual(itemTag), $"Offset {offset} does not point at an item tag");
    }

    private static IEnumerable<uint> Offsets(DicomDataset dataset, params ushort[] elements)
    {
        foreach (var element in elements)
        {
            if (dataset.TryGetAttribute(new DicomTag(0x0004, element), out var attribute) && attribute is DicomElement { Length: 4 } value
                && BinaryPrimitives.ReadUInt32LittleEndian(value.RawValue.Span) is var offset and > 0)
                yield return offset;
        }
    }
}
