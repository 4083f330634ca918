using System.IO.Compression;
using System.Text;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Tests.IO;

public sealed class DicomWriterTests
{
    private static readonly DicomTag ReferencedImageSequence = new(0x0008, 0x1140);
    private static readonly DicomTag ReferencedSopClassUid = new(0x0008, 0x1150);
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag Rows = new(0x0028, 0x0010);
    private static readonly DicomTag PixelData = new(0x7FE0, 0x0010);

    public static TheoryData<string, DicomLengthEncoding> RoundTripCases => new()
    {
        { DicomTransferSyntax.ImplicitVRLittleEndian.Uid, DicomLengthEncoding.Undefined },
        { DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomLengthEncoding.Undefined },
        { DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomLengthEncoding.Defined },
        { DicomTransferSyntax.ExplicitVRBigEndian.Uid, DicomLengthEncoding.Undefined },
        { DicomTransferSyntax.ExplicitVRBigEndian.Uid, DicomLengthEncoding.Defined },
        { DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid, DicomLengthEncoding.Undefined },
        { DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid, DicomLengthEncoding.Defined },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Save_SampleInEachSyntax_ReadsBackEqual(string syntaxUid, DicomLengthEncoding sequenceLength)
    {
        // Implicit VR round trips use undefined lengths: without a dictionary the reader can only
        // recognise a sequence in implicit VR by its undefined length.
        var syntax = DicomTransferSyntax.Lookup(syntaxUid);
        var dataset = Samples.Dataset();
        var file = new DicomFile(new DicomDataset(), dataset, syntax);
        using var stream = new MemoryStream();
        file.Save(stream, new DicomWriteOptions { SequenceLength = sequenceLength });

        var reread = DicomFile.Parse(stream.ToArray());

        Assert.Equal(syntax, reread.TransferSyntax);
        Assert.Empty(reread.Warnings);
        DatasetAssert.Equal(dataset, reread.Dataset, compareVR: syntax.IsExplicitVR);
    }

    [Fact]
    public void Encode_OddLengthValues_PaddedWithTheVRsPaddingByte()
    {
        var dataset = new DicomDataset(
            new DicomElement(new DicomTag(0x0008, 0x0018), DicomVR.UI, "1.2.3"u8.ToArray()),
            new DicomElement(PatientName, DicomVR.PN, "Doe"u8.ToArray()),
            new DicomElement(new DicomTag(0x0029, 0x1001), DicomVR.OB, new byte[] { 1, 2, 3 }));

        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(dataset);

        byte[] expected =
        [
            0x08, 0x00, 0x18, 0x00, (byte)'U', (byte)'I', 6, 0, .. "1.2.3"u8, 0x00,
            0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 4, 0, .. "Doe"u8, (byte)' ',
            0x29, 0x00, 0x01, 0x10, (byte)'O', (byte)'B', 0, 0, 4, 0, 0, 0, 1, 2, 3, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_OddLengthValueImplicitVR_LengthCountsThePadding()
    {
        var dataset = new DicomDataset(new DicomElement(PatientName, DicomVR.PN, "Doe"u8.ToArray()));

        var bytes = new DicomWriter(DicomTransferSyntax.ImplicitVRLittleEndian).Encode(dataset);

        byte[] expected = [0x10, 0x00, 0x10, 0x00, 4, 0, 0, 0, .. "Doe"u8, (byte)' '];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_UndefinedLengthSequence_WritesDelimiters()
    {
        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { SequenceLength = DicomLengthEncoding.Undefined })
            .Encode(OneItemSequence());

        byte[] expected =
        [
            0x08, 0x00, 0x40, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,
            0x08, 0x00, 0x50, 0x11, (byte)'U', (byte)'I', 4, 0, .. "1.2"u8, 0x00,
            0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0,
            0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_DefinedLengthSequence_WritesExactLengths()
    {
        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { SequenceLength = DicomLengthEncoding.Defined })
            .Encode(OneItemSequence());

        byte[] expected =
        [
            0x08, 0x00, 0x40, 0x11, (byte)'S', (byte)'Q', 0, 0, 20, 0, 0, 0,
            0xFE, 0xFF, 0x00, 0xE0, 12, 0, 0, 0,
            0x08, 0x00, 0x50, 0x11, (byte)'U', (byte)'I', 4, 0, .. "1.2"u8, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_DefinedSequenceUndefinedItems_SequenceLengthCountsItemDelimiters()
    {
        var options = new DicomWriteOptions { SequenceLength = DicomLengthEncoding.Defined, ItemLength = DicomLengthEncoding.Undefined };

        var bytes = new DicomWriter(DicomTransferSyntax.ImplicitVRLittleEndian, options).Encode(OneItemSequence());

        byte[] expected =
        [
            0x08, 0x00, 0x40, 0x11, 28, 0, 0, 0,
            0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF,
            0x08, 0x00, 0x50, 0x11, 4, 0, 0, 0, .. "1.2"u8, 0x00,
            0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_AsRead_FollowsWasUndefinedLength()
    {
        var item = new DicomDataset(new DicomElement(ReferencedSopClassUid, DicomVR.UI, "1.2\0"u8.ToArray()));
        var read = new DicomDataset(new DicomSequence(ReferencedImageSequence, item) { WasUndefinedLength = true });
        var built = OneItemSequence();
        var writer = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian);

        var readBytes = writer.Encode(read);
        var builtBytes = writer.Encode(built);

        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, readBytes[8..12]);
        Assert.Equal(new byte[] { 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0 }, readBytes[^8..]);
        Assert.Equal(new byte[] { 20, 0, 0, 0 }, builtBytes[8..12]);
        Assert.Equal(32, builtBytes.Length);
    }

    [Fact]
    public void Encode_BigEndian_SwapsNumbersButNotBytes()
    {
        var dataset = new DicomDataset()
            .Add<ushort>(Rows, DicomVR.US, 0x0102)
            .Add<uint>(new DicomTag(0x0028, 0x9001), DicomVR.UL, 0x01020304)
            .Add<double>(new DicomTag(0x0018, 0x9087), DicomVR.FD, 1.5)
            .Add(new DicomTag(0x0020, 0x9165), new DicomTag(0x0020, 0x9056))
            .Add(new DicomTag(0x0029, 0x1001), DicomVR.OB, new ReadOnlyMemory<byte>([1, 2, 3, 4]))
            .Add(new DicomTag(0x0029, 0x1002), DicomVR.UN, new ReadOnlyMemory<byte>([1, 2, 3, 4]))
            .Add<ushort>(PixelData, DicomVR.OW, 0x0102, 0x0304);

        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRBigEndian).Encode(dataset);

        byte[] expected =
        [
            0x00, 0x18, 0x90, 0x87, (byte)'F', (byte)'D', 0, 8, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0,
            0x00, 0x20, 0x91, 0x65, (byte)'A', (byte)'T', 0, 4, 0x00, 0x20, 0x90, 0x56,
            0x00, 0x28, 0x00, 0x10, (byte)'U', (byte)'S', 0, 2, 0x01, 0x02,
            0x00, 0x28, 0x90, 0x01, (byte)'U', (byte)'L', 0, 4, 0x01, 0x02, 0x03, 0x04,
            0x00, 0x29, 0x10, 0x01, (byte)'O', (byte)'B', 0, 0, 0, 0, 0, 4, 1, 2, 3, 4,
            0x00, 0x29, 0x10, 0x02, (byte)'U', (byte)'N', 0, 0, 0, 0, 0, 4, 1, 2, 3, 4,
            0x7F, 0xE0, 0x00, 0x10, (byte)'O', (byte)'W', 0, 0, 0, 0, 0, 4, 0x01, 0x02, 0x03, 0x04,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_ValueTooLongForShortLength_WrittenAsUNWithLongLength()
    {
        var value = Enumerable.Repeat((byte)'A', 70_000).ToArray();
        var dataset = new DicomDataset(new DicomElement(new DicomTag(0x0008, 0x1030), DicomVR.LO, value));

        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(dataset);
        var reread = DicomFile.Parse(bytes).Dataset.GetAttribute(new DicomTag(0x0008, 0x1030));

        Assert.Equal(new byte[] { 0x08, 0x00, 0x30, 0x10, (byte)'U', (byte)'N', 0, 0, 0x70, 0x11, 0x01, 0x00 }, bytes[..12]);
        Assert.Equal(12 + 70_000, bytes.Length);
        var element = Assert.IsType<DicomElement>(reread);
        Assert.Equal(DicomVR.UN, element.VR);
        Assert.Equal(value, element.RawValue.ToArray());
    }

    [Fact]
    public void Encode_GroupLengthsRequested_RecomputedForEveryGroup()
    {
        var dataset = new DicomDataset()
            .Add<uint>(new DicomTag(0x0008, 0x0000), DicomVR.UL, 999)
            .Add(new DicomElement(new DicomTag(0x0008, 0x0018), DicomVR.UI, "1.2.3\0"u8.ToArray()))
            .Add(new DicomElement(PatientName, DicomVR.PN, "Doe "u8.ToArray()));

        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { WriteGroupLengths = true }).Encode(dataset);

        byte[] expected =
        [
            0x08, 0x00, 0x00, 0x00, (byte)'U', (byte)'L', 4, 0, 14, 0, 0, 0,
            0x08, 0x00, 0x18, 0x00, (byte)'U', (byte)'I', 6, 0, .. "1.2.3"u8, 0x00,
            0x10, 0x00, 0x00, 0x00, (byte)'U', (byte)'L', 4, 0, 12, 0, 0, 0,
            0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 4, 0, .. "Doe "u8,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Encode_GroupLengthByDefault_Dropped()
    {
        var dataset = new DicomDataset()
            .Add<uint>(new DicomTag(0x0008, 0x0000), DicomVR.UL, 999)
            .Add(new DicomElement(new DicomTag(0x0008, 0x0018), DicomVR.UI, "1.2.3\0"u8.ToArray()));

        var bytes = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(dataset);

        byte[] expected = [0x08, 0x00, 0x18, 0x00, (byte)'U', (byte)'I', 6, 0, .. "1.2.3"u8, 0x00];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void GetEncodedLength_Sample_EqualsBytesWritten()
    {
        var writer = new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { WriteGroupLengths = true });
        var dataset = Samples.Dataset();

        Assert.Equal(writer.Encode(dataset).Length, writer.GetEncodedLength(dataset));
    }

    [Fact]
    public void Encode_Deflated_IsRawDeflateOfExplicitLittleEndian()
    {
        var dataset = Samples.Dataset();

        var deflated = new DicomWriter(DicomTransferSyntax.DeflatedExplicitVRLittleEndian).Encode(dataset);

        using var inflater = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress);
        using var inflated = new MemoryStream();
        inflater.CopyTo(inflated);
        Assert.Equal(new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(dataset), inflated.ToArray());
    }

    [Fact]
    public void Encode_EncapsulatedPixelData_WrittenAsFragments()
    {
        var dataset = new DicomDataset(Samples.Fragments(new byte[] { 1, 2, 3, 4 }, new byte[] { 5, 6, 7 }));

        var bytes = new DicomWriter(DicomTransferSyntax.JpegBaseline).Encode(dataset);

        byte[] expected =
        [
            0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 0, 0, 0, 0,
            0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 1, 2, 3, 4,
            0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 5, 6, 7, 0,
            0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Save_EncapsulatedFile_ReadsBackEqual()
    {
        var dataset = Samples.Dataset();
        dataset.AddOrUpdate(Samples.Fragments(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }, new byte[] { 9, 8, 7, 6, 5, 4 }));
        using var stream = new MemoryStream();

        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.JpegBaseline).Save(stream);
        var reread = DicomFile.Parse(stream.ToArray());

        Assert.Equal(DicomTransferSyntax.JpegBaseline, reread.TransferSyntax);
        DatasetAssert.Equal(dataset, reread.Dataset, compareVR: true);
    }

    [Fact]
    public void Encode_FragmentsInUncompressedSyntax_Throws()
    {
        var dataset = new DicomDataset(Samples.Fragments(new byte[] { 1, 2 }));

        var error = Assert.Throws<DicomException>(() => new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(dataset));

        Assert.Contains("encapsulated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NativePixelDataInCompressedSyntax_Throws()
    {
        var dataset = new DicomDataset().Add<ushort>(PixelData, DicomVR.OW, 1, 2);

        var error = Assert.Throws<DicomException>(() => new DicomWriter(DicomTransferSyntax.JpegBaseline).Encode(dataset));

        Assert.Contains("Native", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ItemIsItsOwnAncestor_ThrowsInsteadOfOverflowing()
    {
        var item = new DicomDataset();
        item.Add(new DicomSequence(ReferencedImageSequence, item));
        var dataset = new DicomDataset(new DicomSequence(ReferencedImageSequence, item) { WasUndefinedLength = true });

        Assert.Throws<DicomException>(() => new DicomWriter(DicomTransferSyntax.ExplicitVRLittleEndian).Encode(dataset));
    }

    [Fact]
    public async Task WriteAsync_SameDataset_SameBytesAsWrite()
    {
        var writer = new DicomWriter(DicomTransferSyntax.ExplicitVRBigEndian);
        var dataset = Samples.Dataset();
        using var stream = new MemoryStream();

        await writer.WriteAsync(stream, dataset);

        Assert.Equal(writer.Encode(dataset), stream.ToArray());
    }

    private static DicomDataset OneItemSequence()
    {
        var item = new DicomDataset(new DicomElement(ReferencedSopClassUid, DicomVR.UI, Encoding.ASCII.GetBytes("1.2\0")));
        return new DicomDataset(new DicomSequence(ReferencedImageSequence, item));
    }
}
