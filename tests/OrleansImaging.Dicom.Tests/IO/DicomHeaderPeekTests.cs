using OrleansImaging.Dicom.IO;
using OrleansImaging.Dicom.Tests.Robustness;

namespace OrleansImaging.Dicom.Tests.IO;

public sealed class DicomHeaderPeekTests
{
    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("MR_small_RLE.dcm")]
    [InlineData("image_dfl.dcm")]
    [InlineData("ExplVR_LitEndNoMeta.dcm")]
    public async Task ReadAsync_ForwardOnlyStream_HeaderParsedAndContentReplaysEveryByte(string name)
    {
        var bytes = await File.ReadAllBytesAsync(TestCorpus.TestFile(name));

        var peek = await DicomHeaderPeek.ReadAsync(new NonSeekableStream(bytes, maxRead: 1000));
        using var copy = new MemoryStream();
        await peek.Content.CopyToAsync(copy);

        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(DicomFile.Parse(bytes).Dataset.GetStringOrNull(DicomTag.SOPInstanceUID), peek.Header.Dataset.GetStringOrNull(DicomTag.SOPInstanceUID));
        Assert.False(peek.Header.Dataset.Contains(DicomTag.PixelData));
    }

    [Fact]
    public async Task ReadAsync_LargeObject_BuffersOnlyTheHeaderAndOneChunk()
    {
        // A 0.5 MB CT-sized object: the header is a few hundred bytes, the pixel data 512 KiB.
        var pixels = new byte[512 * 1024];
        var dataset = new DicomDataset()
            .Add(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .Add(DicomTag.SOPInstanceUID, "1.2.3.4")
            .Add(DicomTag.PixelData, DicomVR.OW, pixels);
        using var file = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(file);

        var peek = await DicomHeaderPeek.ReadAsync(new NonSeekableStream(file.ToArray(), maxRead: 64 * 1024));

        Assert.Equal("1.2.3.4", peek.Header.Dataset.Get<string>(DicomTag.SOPInstanceUID));
        Assert.InRange(peek.BufferedBytes, 1, 128 * 1024);
    }

    [Fact]
    public async Task ReadAsync_NotDicom_ThrowsDicomException()
    {
        var text = "--boundary\r\nContent-Type: text/plain\r\n\r\nhello"u8.ToArray();

        await Assert.ThrowsAsync<DicomException>(() => DicomHeaderPeek.ReadAsync(new NonSeekableStream(text)));
    }
}
