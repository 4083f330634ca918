namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>Every compressed image of the pydicom corpus against a reference decoder's bytes.</summary>
public sealed class DicomCodecsCorpusTests
{
    private readonly DicomCodecs _codecs = new();

    /// <summary>Corpus files the facade refuses, and why (the words its message must contain).</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        // GDCM 3.0.21 gets the byte order of multi-byte colour RLE wrong (dcmdrle agrees with pydicom's originals).
        ["SC_rgb_rle_16bit.dcm"] = "bytes out of order",
        ["SC_rgb_rle_16bit_2frame.dcm"] = "bytes out of order",
        ["SC_rgb_rle_32bit.dcm"] = "bytes out of order",
        ["SC_rgb_rle_32bit_2frame.dcm"] = "bytes out of order",
        // A Frame Increment Pointer without Number of Frames trips an assertion that aborts the process inside GDCM.
        ["rtdose_rle_1frame.dcm"] = "Frame Increment Pointer",
        // Its fragment holds a sequence delimiter; GDCM (and gdcmconv) hand it to OpenJPEG, which fails: a clean refusal.
        ["JPEG2000-embedded-sequence-delimiter.dcm"] = "is corrupt or not supported",
    };

    /// <summary>Corpus files no reference tool decompresses, so only their shape can be checked.</summary>
    private static readonly Dictionary<string, string> WithoutReference = new(StringComparer.Ordinal)
    {
        ["SC_rgb_jpeg.dcm"] = "dcmdjpeg: Non-standard VR '  ' in (0008,0008): the header is malformed",
    };

    public static TheoryData<string> CompressedImages() =>
        [.. TestCorpus.CompressedImages().Where(name => !Refused.ContainsKey(name) && !WithoutReference.ContainsKey(name))];

    public static TheoryData<string> RefusedImages() => [.. Refused.Keys.Order(StringComparer.Ordinal)];

    public static TheoryData<string> ImagesWithoutReference() => [.. WithoutReference.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(RefusedImages))]
    public async Task DecodeFramesAsync_ImageGdcmCannotDecodeSafely_ThrowsDicomCodecException(string name)
    {
        var exception = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.DecodeFramesAsync(TestCorpus.TestFile(name)));

        Assert.Contains(Refused[name], exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ImagesWithoutReference))]
    public async Task DecodeFramesAsync_ImageWithoutReference_DecodesToDeclaredShape(string name)
    {
        var path = TestCorpus.TestFile(name);
        var header = DicomFile.Open(path, IO.DicomReadOptions.HeaderOnly).Dataset;

        var decoded = await _codecs.DecodeFramesAsync(path);

        var description = decoded.Description;
        Assert.Equal(header.Get<int>(DicomTag.Rows), description.Rows);
        Assert.Equal(header.Get<int>(DicomTag.Columns), description.Columns);
        Assert.Equal(header.Get<int>(DicomTag.SamplesPerPixel), description.SamplesPerPixel);
        Assert.Equal(header.Get<int>(DicomTag.BitsAllocated), description.BitsAllocated);
        Assert.Equal(header.GetOrDefault(DicomTag.NumberOfFrames, 1), decoded.Frames.Count);
        Assert.All(decoded.Frames, frame => Assert.Equal(description.FrameLength, frame.Length));
    }

    [Fact]
    public void CompressedImages_Corpus_CoversEveryCompressionFamily()
    {
        var syntaxes = TestCorpus.CompressedImages()
            .Select(name => DicomFile.Open(TestCorpus.TestFile(name), IO.DicomReadOptions.HeaderOnly).TransferSyntax.Uid)
            .ToHashSet();

        Assert.Superset(
            new HashSet<string> { "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.5" },
            syntaxes);
    }

    [Theory]
    [MemberData(nameof(CompressedImages))]
    public async Task DecodeFramesAsync_CorpusImage_MatchesReferenceDecoder(string name)
    {
        var path = TestCorpus.TestFile(name);
        var header = DicomFile.Open(path, IO.DicomReadOptions.HeaderOnly);
        var (reference, complaint) = ReferenceDecoder.Decode(path, header.TransferSyntax);
        Assert.True(reference is not null, complaint);

        var decoded = await _codecs.DecodeFramesAsync(path);

        var description = decoded.Description;
        Assert.Equal(header.Dataset.Get<int>(DicomTag.Rows), description.Rows);
        Assert.Equal(header.Dataset.Get<int>(DicomTag.Columns), description.Columns);
        Assert.Equal(header.Dataset.GetOrDefault(DicomTag.NumberOfFrames, 1), description.NumberOfFrames);
        Assert.Equal(description.NumberOfFrames, decoded.Frames.Count);
        Assert.All(decoded.Frames, frame => Assert.Equal(description.FrameLength, frame.Length));
        Assert.Equal(reference.Dataset.Get<int>(DicomTag.SamplesPerPixel), description.SamplesPerPixel);
        Assert.Equal(reference.Dataset.Get<int>(DicomTag.BitsAllocated), description.BitsAllocated);
        Assert.Equal(reference.PhotometricInterpretation, description.PhotometricInterpretation);
        Assert.Equal(reference.PlanarConfiguration, description.PlanarConfiguration);

        var ours = decoded.Frames.SelectMany(frame => frame).ToArray();
        // Native Pixel Data is padded to an even length; the pad is not a pixel.
        Assert.InRange(reference.PixelData.Length - ours.Length, 0, 1);
        var theirs = reference.PixelData.AsSpan(0, ours.Length);
        Assert.True(theirs.SequenceEqual(ours), $"{name}: {FirstDifference(ours, theirs)} against {reference.Tool}");
    }

    private static string FirstDifference(ReadOnlySpan<byte> ours, ReadOnlySpan<byte> theirs)
    {
        var index = ours.CommonPrefixLength(theirs);
        var differing = 0;
        var maxDelta = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            if (ours[i] != theirs[i])
            {
                differing++;
                maxDelta = Math.Max(maxDelta, Math.Abs(ours[i] - theirs[i]));
            }
        }
        return $"first difference at byte {index} of {ours.Length}, {differing} bytes differ, max byte delta {maxDelta}";
    }
}
