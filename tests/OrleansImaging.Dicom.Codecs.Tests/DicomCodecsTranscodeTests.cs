using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>
/// Transcoding every image of the pydicom corpus to every lossless target: the target decodes to the source's
/// pixels, nothing but the encoding changes, and what the facade refuses it refuses for a stated reason.
/// </summary>
public sealed class DicomCodecsTranscodeTests : IDisposable
{
    private const string ExplicitLE = "1.2.840.10008.1.2.1";
    private const string JpegLS = "1.2.840.10008.1.2.4.80";
    private const string Jpeg2000 = "1.2.840.10008.1.2.4.90";
    private const string Rle = "1.2.840.10008.1.2.5";
    private const string JpegSV1 = "1.2.840.10008.1.2.4.70";

    private static readonly string[] LosslessTargets = [ExplicitLE, JpegLS, Jpeg2000, Rle, JpegSV1];

    /// <summary>
    /// Attributes a transcode may change (PS3.5 8 and A.4, PS3.3 C.7.6.1.1.5, C.7.6.3.1): everything else must
    /// come out as it went in.
    /// </summary>
    internal static readonly HashSet<DicomTag> EncodingAttributes =
    [
        DicomTag.PixelData, DicomTag.PhotometricInterpretation, DicomTag.PlanarConfiguration, DicomTag.LossyImageCompression,
        DicomTag.LossyImageCompressionRatio, DicomTag.LossyImageCompressionMethod, DicomTag.ExtendedOffsetTable, new DicomTag(0x7FE0, 0x0002),
    ];

    private readonly DicomCodecs _codecs = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("transcode-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The words a refusal must contain, for the corpus images and targets the facade refuses; null where it must transcode.</summary>
    internal static string? ExpectedRefusal(string name, string target) => (name, target) switch
    {
        ("SC_rgb_rle_16bit.dcm" or "SC_rgb_rle_16bit_2frame.dcm" or "SC_rgb_rle_32bit.dcm" or "SC_rgb_rle_32bit_2frame.dcm", _) => "bytes out of order",
        ("rtdose_1frame.dcm" or "rtdose_rle_1frame.dcm" or "rtdose_expb_1frame.dcm", _) => "Frame Increment Pointer",
        ("liver_1frame.dcm" or "liver_expb_1frame.dcm", _) => "images of 1 bits allocated are not transcoded",
        ("badVR.dcm", _) => "(0028,0008) is missing or not a number",
        ("MR_truncated.dcm", _) => "not readable DICOM",
        ("SC_ybr_full_422_uncompressed.dcm", _) => "native YBR_FULL_422",
        ("JPEG2000-embedded-sequence-delimiter.dcm", ExplicitLE) => "pixel data is corrupt or not supported",
        ("JPEG2000-embedded-sequence-delimiter.dcm", _) => "GDCM cannot encode this image in it (or cannot decode its pixel data)",
        ("rtdose.dcm" or "rtdose_expb.dcm" or "rtdose_rle.dcm", JpegLS or JpegSV1 or Jpeg2000) => "images of 32 bits allocated are encoded only in RLE or native",
        ("SC_rgb_small_odd.dcm" or "SC_rgb_small_odd_jpeg.dcm", Jpeg2000) => "smaller than 32 pixels a side",
        ("SC_rgb_small_odd.dcm" or "SC_rgb_small_odd_jpeg.dcm", Rle) => "frames of an odd number of bytes",
        _ => null,
    };

    public static TheoryData<string, string> CorpusImagesAndLosslessTargets()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in TestCorpus.Images())
        {
            foreach (var target in LosslessTargets)
                data.Add(name, target);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusImagesAndLosslessTargets))]
    public async Task TranscodeAsync_CorpusImageToLosslessTarget_SamePixelsAndAttributesOrStatedRefusal(string name, string targetUid)
    {
        var source = TestCorpus.TestFile(name);
        var target = DicomTransferSyntax.Lookup(targetUid);
        var output = Path.Combine(_directory, "out.dcm");

        if (ExpectedRefusal(name, targetUid) is { } reason)
        {
            var refusal = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.TranscodeAsync(source, output, target));
            Assert.Contains(reason, refusal.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(output), "a refused transcode leaves no file");
            return;
        }

        var result = await _codecs.TranscodeAsync(source, output, target);

        Assert.Equal(target, result.TargetTransferSyntax);
        Assert.Equal(new FileInfo(output).Length, result.TargetLength);
        Assert.Equal(new FileInfo(source).Length, result.SourceLength);
        var written = DicomFile.Open(output);
        Assert.Equal(target, written.TransferSyntax);
        var original = DicomFile.Open(source);
        Assert.Equal(result.SourceTransferSyntax, original.TransferSyntax);
        AssertSameAttributes(original.Dataset, written.Dataset, "");
        Assert.Equal(result.PhotometricInterpretation, written.Dataset.GetStringOrNull(DicomTag.PhotometricInterpretation));
        // A lossy source stays flagged lossy in any syntax; a lossless one is not made to look lossy.
        var wasLossy = original.TransferSyntax.IsLossy || original.Dataset.GetStringOrNull(DicomTag.LossyImageCompression) == "01";
        Assert.Equal(wasLossy, result.IsLossy);
        Assert.Equal(wasLossy ? "01" : original.Dataset.GetStringOrNull(DicomTag.LossyImageCompression), written.Dataset.GetStringOrNull(DicomTag.LossyImageCompression));
        await AssertSamePixelsAsync(source, output, original.Dataset.Get<int>(DicomTag.BitsStored));
    }

    [Fact]
    public async Task TranscodeAsync_Corpus_CoversEveryTargetWithSeveralImages()
    {
        // Guards the theory above against a corpus (or a refusal list) that leaves a target untested.
        foreach (var target in LosslessTargets)
        {
            var transcoded = TestCorpus.Images().Count(name => ExpectedRefusal(name, target) is null);
            Assert.True(transcoded >= 30, $"only {transcoded} corpus images are transcoded to {target}");
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task TranscodeAsync_TargetSyntaxNotEncoded_ThrowsWithoutWriting()
    {
        var output = Path.Combine(_directory, "out.dcm");

        var exception = await Assert.ThrowsAsync<DicomCodecException>(() =>
            _codecs.TranscodeAsync(TestCorpus.TestFile("MR_small.dcm"), output, DicomTransferSyntax.Jpeg2000));

        Assert.Contains("the codecs write only Explicit VR Little Endian, JPEG-LS Lossless", exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task TranscodeAsync_TargetIsSource_ThrowsArgumentException()
    {
        var source = Path.Combine(_directory, "MR_small.dcm");
        File.Copy(TestCorpus.TestFile("MR_small.dcm"), source);

        await Assert.ThrowsAsync<ArgumentException>(() => _codecs.TranscodeAsync(source, source, DicomTransferSyntax.JpegLSLossless));

        Assert.Equal(new FileInfo(TestCorpus.TestFile("MR_small.dcm")).Length, new FileInfo(source).Length);
    }

    [Fact]
    public async Task TranscodeAsync_Cancelled_ThrowsWithoutWriting()
    {
        var output = Path.Combine(_directory, "out.dcm");
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _codecs.TranscodeAsync(TestCorpus.TestFile("MR_small.dcm"), output, DicomTransferSyntax.JpegLSLossless, cancellation.Token));

        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task TranscodeAsync_MultiFrame_WritesOneFragmentPerFrameAndBasicOffsetTable()
    {
        var output = Path.Combine(_directory, "out.dcm");

        await _codecs.TranscodeAsync(TestCorpus.TestFile("SC_rgb_rle_2frame.dcm"), output, DicomTransferSyntax.JpegLSLossless);

        var pixelData = Assert.IsType<DicomFragmentSequence>(DicomFile.Open(output).Dataset.GetAttribute(DicomTag.PixelData));
        Assert.Equal(2, pixelData.Fragments.Count);
        var offsets = pixelData.GetBasicOffsets();
        Assert.Equal(2, offsets.Length);
        Assert.Equal(0u, offsets[0]);
        for (var i = 1; i < offsets.Length; i++)
            Assert.Equal(offsets[i - 1] + 8 + (uint)pixelData.Fragments[i - 1].Length, offsets[i]);
    }

    private async Task AssertSamePixelsAsync(string source, string output, int bitsStored)
    {
        var expected = await _codecs.DecodeFramesAsync(source);
        var actual = await _codecs.DecodeFramesAsync(output);
        var (e, a) = (expected.Description, actual.Description);
        Assert.Equal((e.Rows, e.Columns, e.SamplesPerPixel, e.BitsAllocated, e.PixelRepresentation, e.NumberOfFrames, e.PhotometricInterpretation),
            (a.Rows, a.Columns, a.SamplesPerPixel, a.BitsAllocated, a.PixelRepresentation, a.NumberOfFrames, a.PhotometricInterpretation));
        var expectedSamples = DecodedPixels.Samples(expected.Frames, e, bitsStored);
        var actualSamples = DecodedPixels.Samples(actual.Frames, a, bitsStored);
        Assert.True(expectedSamples.AsSpan().SequenceEqual(actualSamples), DecodedPixels.FirstDifference(expectedSamples, actualSamples));
    }

    /// <summary>
    /// Every attribute outside <see cref="EncodingAttributes"/> the same, in the same order, with the same value bytes.
    /// Group lengths (gggg,0000) are not compared: retired (PS3.5 7.2), and our writer leaves them out.
    /// </summary>
    internal static void AssertSameAttributes(DicomDataset expected, DicomDataset actual, string path)
    {
        bool Compared(DicomAttribute a) => a.Tag.Element != 0 && (path.Length > 0 || !EncodingAttributes.Contains(a.Tag));
        var left = expected.Where(Compared).ToList();
        var right = actual.Where(Compared).ToList();
        Assert.Equal(left.Select(a => a.Tag), right.Select(a => a.Tag));
        for (var i = 0; i < left.Count; i++)
        {
            var where = $"{path}{left[i].Tag}";
            switch (left[i], right[i])
            {
                case (DicomElement l, DicomElement r):
                    Assert.True(l.RawValue.Span.SequenceEqual(r.RawValue.Span), $"{where} differs");
                    break;
                case (DicomSequence l, DicomSequence r):
                    Assert.Equal(l.Items.Count, r.Items.Count);
                    for (var item = 0; item < l.Items.Count; item++)
                        AssertSameAttributes(l.Items[item], r.Items[item], $"{where}[{item}]");
                    break;
                default:
                    Assert.Fail($"{where} is a {left[i].GetType().Name} in the source and a {right[i].GetType().Name} in the target");
                    break;
            }
        }
    }
}
