using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>
/// Transcoded files against tools that do not share GDCM's code (dcmtk's dcmdjpls/CharLS, dcmdrle, dcmdjpeg/IJG,
/// dcmdump's parser), lossy encoding and its flags, and the synthetic CT corpus.
/// </summary>
public sealed class DicomCodecsTranscodeReferenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly DicomCodecs _codecs = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("transcode-ref-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, string> ImagesAndDcmtkDecodedTargets()
    {
        var data = new TheoryData<string, string>();
        // 16-bit signed and unsigned, 8-bit colour, multi-frame colour, compressed sources.
        foreach (var name in new[] { "MR_small.dcm", "CT_small.dcm", "SC_rgb_jpeg_dcmd.dcm", "SC_rgb_rle_2frame.dcm", "MR_small_jp2klossless.dcm", "ExplVR_BigEnd.dcm", "US1_J2KR.dcm" }
                     .Where(n => File.Exists(TestCorpus.TestFile(n))))
        {
            foreach (var target in new[] { "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.70" })
                data.Add(name, target);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ImagesAndDcmtkDecodedTargets))]
    public async Task TranscodeAsync_LosslessTarget_DcmtkDecodesToSourcePixels(string name, string targetUid)
    {
        var source = TestCorpus.TestFile(name);
        var transcoded = Path.Combine(_directory, "out.dcm");
        var target = DicomTransferSyntax.Lookup(targetUid);

        await _codecs.TranscodeAsync(source, transcoded, target);

        AssertDcmdumpReadsCleanly(transcoded);
        var (reference, complaint) = ReferenceDecoder.Decode(transcoded, target);
        Assert.True(reference is not null, complaint);
        var expected = await _codecs.DecodeFramesAsync(source);
        var theirs = new DicomImageDescription(
            reference.Dataset.Get<int>(DicomTag.Rows), reference.Dataset.Get<int>(DicomTag.Columns), reference.Dataset.Get<int>(DicomTag.SamplesPerPixel),
            reference.Dataset.Get<int>(DicomTag.BitsAllocated), reference.Dataset.Get<int>(DicomTag.BitsStored), reference.Dataset.GetOrDefault(DicomTag.PixelRepresentation, 0),
            reference.PlanarConfiguration, reference.PhotometricInterpretation, reference.Dataset.GetOrDefault(DicomTag.NumberOfFrames, 1));
        Assert.Equal(expected.Description.PhotometricInterpretation, theirs.PhotometricInterpretation);
        var frames = Enumerable.Range(0, theirs.NumberOfFrames)
            .Select(i => reference.PixelData.AsSpan((int)(i * theirs.FrameLength), (int)theirs.FrameLength).ToArray()).ToList();
        var bitsStored = DicomFile.Open(source, IO.DicomReadOptions.HeaderOnly).Dataset.Get<int>(DicomTag.BitsStored);
        var ours = DecodedPixels.Samples(expected.Frames, expected.Description, bitsStored);
        var tool = DecodedPixels.Samples(frames, theirs, bitsStored);
        Assert.True(ours.AsSpan().SequenceEqual(tool), $"{reference.Tool}: {DecodedPixels.FirstDifference(ours, tool)}");
    }

    [Theory]
    [InlineData("SC_rgb_jpeg_dcmd.dcm", "YBR_FULL_422", "RGB")]
    [InlineData("image_dfl.dcm", "MONOCHROME2", "MONOCHROME2")]
    public async Task TranscodeAsync_EightBitToJpegBaseline_FlaggedLossyAndDcmdjpegSeesTheSamePicture(string name, string photometric, string decompressedPhotometric)
    {
        var source = TestCorpus.TestFile(name);
        var transcoded = Path.Combine(_directory, "out.dcm");

        var result = await _codecs.TranscodeAsync(source, transcoded, DicomTransferSyntax.JpegBaseline);

        Assert.True(result.IsLossy);
        Assert.Equal(photometric, result.PhotometricInterpretation);
        var dataset = DicomFile.Open(transcoded).Dataset;
        Assert.Equal("01", dataset.GetStringOrNull(DicomTag.LossyImageCompression));
        Assert.Equal(["ISO_10918_1"], dataset.GetValues<string>(DicomTag.LossyImageCompressionMethod));
        var ratio = double.Parse(Assert.Single(dataset.GetValues<string>(DicomTag.LossyImageCompressionRatio)), CultureInfo.InvariantCulture);
        output.WriteLine($"{name}: JPEG baseline ratio {ratio}:1, file {result.SourceLength:N0} → {result.TargetLength:N0} bytes");
        Assert.True(ratio > 1, $"ratio {ratio}");
        AssertDcmdumpReadsCleanly(transcoded);
        // dcmdjpeg (IJG) converts to RGB as a viewer would; the picture must be the source's within JPEG's error.
        var decompressed = Path.Combine(_directory, "dcmdjpeg.dcm");
        Run("dcmdjpeg", transcoded, decompressed);
        var theirs = DicomFile.Open(decompressed);
        Assert.Equal(decompressedPhotometric, theirs.Dataset.GetStringOrNull(DicomTag.PhotometricInterpretation));
        var expected = await _codecs.DecodeFramesAsync(source);
        var description = expected.Description with { PlanarConfiguration = theirs.Dataset.GetOrDefault(DicomTag.PlanarConfiguration, 0) };
        var tool = DecodedPixels.Samples([((DicomElement)theirs.Dataset.GetAttribute(DicomTag.PixelData)).RawValue[..(int)description.FrameLength].ToArray()], description, 8);
        var ours = DecodedPixels.Samples(expected.Frames, expected.Description, 8);
        var meanError = ours.Zip(tool).Average(p => Math.Abs((int)p.First - (int)p.Second));
        output.WriteLine($"{name}: mean absolute error {meanError:F2}");
        Assert.InRange(meanError, 0, 3);
    }

    [Theory]
    [InlineData("MR_small.dcm", "8-bit unsigned images of 1 or 3 samples, this image has 1 samples of 16 bits, signed")]
    [InlineData("CT_small.dcm", "this image has 1 samples of 16 bits, signed")]
    [InlineData("SC_rgb_jpeg_dcmtk.dcm", "it is YBR_FULL once decoded; JPEG baseline is written from MONOCHROME1, MONOCHROME2 or RGB only")]
    public async Task TranscodeAsync_SixteenBitToJpegBaseline_Refused(string name, string reason)
    {
        var transcoded = Path.Combine(_directory, "out.dcm");

        var exception = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.TranscodeAsync(TestCorpus.TestFile(name), transcoded, DicomTransferSyntax.JpegBaseline));

        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(transcoded));
    }

    [Fact]
    public async Task TranscodeAsync_LossySourceToLossless_KeepsLossyFlagMethodAndRatio()
    {
        // dcmtk wrote it: JPEG baseline with (0028,2110) 01 and (0028,2114) ISO_10918_1.
        var source = TestCorpus.TestFile("SC_rgb_jpeg_dcmtk.dcm");
        var before = DicomFile.Open(source).Dataset;
        var transcoded = Path.Combine(_directory, "out.dcm");

        var result = await _codecs.TranscodeAsync(source, transcoded, DicomTransferSyntax.JpegLSLossless);

        Assert.True(result.IsLossy);
        var after = DicomFile.Open(transcoded).Dataset;
        Assert.Equal("01", after.GetStringOrNull(DicomTag.LossyImageCompression));
        Assert.Equal(before.GetValues<string>(DicomTag.LossyImageCompressionMethod), after.GetValues<string>(DicomTag.LossyImageCompressionMethod));
        Assert.Equal(before.GetValues<string>(DicomTag.LossyImageCompressionRatio), after.GetValues<string>(DicomTag.LossyImageCompressionRatio));
    }

    [Fact]
    public async Task TranscodeAsync_LossySourceWithoutFlag_FlaggedWithItsSyntaxMethodAndMeasuredRatio()
    {
        var source = Path.Combine(_directory, "unflagged.dcm");
        File.Copy(TestCorpus.TestFile("SC_rgb_jpeg_dcmtk.dcm"), source);
        Run("dcmodify", "-nb", "-ea", "(0028,2110)", "-ea", "(0028,2112)", "-ea", "(0028,2114)", source);
        var transcoded = Path.Combine(_directory, "out.dcm");

        var result = await _codecs.TranscodeAsync(source, transcoded, DicomTransferSyntax.ExplicitVRLittleEndian);

        Assert.True(result.IsLossy);
        var after = DicomFile.Open(transcoded).Dataset;
        Assert.Equal("01", after.GetStringOrNull(DicomTag.LossyImageCompression));
        Assert.Equal(["ISO_10918_1"], after.GetValues<string>(DicomTag.LossyImageCompressionMethod));
        var ratio = double.Parse(Assert.Single(after.GetValues<string>(DicomTag.LossyImageCompressionRatio)), CultureInfo.InvariantCulture);
        Assert.True(ratio > 1, $"ratio {ratio}");
    }

    [Fact]
    public async Task TranscodeAsync_LosslessSource_NotFlaggedLossy()
    {
        var transcoded = Path.Combine(_directory, "out.dcm");

        var result = await _codecs.TranscodeAsync(TestCorpus.TestFile("MR_small.dcm"), transcoded, DicomTransferSyntax.Jpeg2000Lossless);

        Assert.False(result.IsLossy);
        var after = DicomFile.Open(transcoded).Dataset;
        Assert.False(after.Contains(DicomTag.LossyImageCompression));
        Assert.False(after.Contains(DicomTag.LossyImageCompressionMethod));
    }

    [Fact]
    public async Task TranscodeAsync_CorruptCompressedSource_ThrowsAndLeavesNoFile()
    {
        var corrupt = Path.Combine(_directory, "corrupt.dcm");
        var bytes = await File.ReadAllBytesAsync(TestCorpus.TestFile("MR_small_jpeg_ls_lossless.dcm"));
        var fragment = ((DicomFragmentSequence)DicomFile.Parse(bytes).Dataset.GetAttribute(DicomTag.PixelData)).Fragments[^1].Data;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(fragment, out var segment));
        bytes.AsSpan(segment.Offset + (segment.Count / 4), segment.Count / 2).Fill(0xFF);
        await File.WriteAllBytesAsync(corrupt, bytes);

        foreach (var target in new[] { DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.Jpeg2000Lossless, DicomTransferSyntax.RleLossless })
        {
            var transcoded = Path.Combine(_directory, $"out-{target.Uid}.dcm");

            var exception = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.TranscodeAsync(corrupt, transcoded, target));

            Assert.Contains("cannot be", exception.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(transcoded), $"{target.Name}: a failed transcode leaves no file");
        }
    }

    [Fact]
    public async Task TranscodeAsync_NotDicomOrDecodeBomb_Refused()
    {
        var notDicom = Path.Combine(_directory, "not-dicom.dcm");
        await File.WriteAllTextAsync(notDicom, "this is not DICOM");
        var bomb = Path.Combine(_directory, "bomb.dcm");
        File.Copy(TestCorpus.TestFile("MR_small_jpeg_ls_lossless.dcm"), bomb);
        Run("dcmodify", "-nb", "-i", "(0028,0010)=65535", "-i", "(0028,0011)=65535", "-i", "(0028,0008)=1000", bomb);

        var notDicomError = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.TranscodeAsync(notDicom, Path.Combine(_directory, "a.dcm"), DicomTransferSyntax.JpegLSLossless));
        var bombError = await Assert.ThrowsAsync<DicomCodecException>(() => _codecs.TranscodeAsync(bomb, Path.Combine(_directory, "b.dcm"), DicomTransferSyntax.ExplicitVRLittleEndian));

        Assert.Contains("not readable DICOM", notDicomError.Message, StringComparison.Ordinal);
        Assert.Contains("8,589,672,450,000 decoded bytes", bombError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranscodeAsync_SyntheticCt_LosslessRoundTripAndRatios()
    {
        var study = Path.Combine(TestCorpus.Root, "..", "synthetic-ct", "ct-100-in-1-studies-v2", "study000");
        Assert.True(Directory.Exists(study), $"the synthetic CT corpus is missing at {study} (./imaging corpus makes it)");
        foreach (var source in Directory.EnumerateFiles(study, "*.dcm").Order(StringComparer.Ordinal).Take(4))
        {
            var expected = await _codecs.DecodeFramesAsync(source);
            foreach (var target in new[] { DicomTransferSyntax.JpegLSLossless, DicomTransferSyntax.Jpeg2000Lossless })
            {
                var transcoded = Path.Combine(_directory, $"{Path.GetFileNameWithoutExtension(source)}-{target.Uid}.dcm");
                var started = Stopwatch.GetTimestamp();

                var result = await _codecs.TranscodeAsync(source, transcoded, target);

                var elapsed = Stopwatch.GetElapsedTime(started);
                var fragments = ((DicomFragmentSequence)DicomFile.Open(transcoded).Dataset.GetAttribute(DicomTag.PixelData)).Fragments.Sum(f => f.Length);
                var actual = await _codecs.DecodeFramesAsync(transcoded);
                Assert.True(expected.Frames[0].AsSpan().SequenceEqual(actual.Frames[0]), $"{source} → {target.Name} is not lossless");
                Assert.False(result.IsLossy);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(source)} {target.Name}: pixel data {expected.Frames[0].Length:N0} → {fragments:N0} bytes ({(double)expected.Frames[0].Length / fragments:F2}:1), file {result.SourceLength:N0} → {result.TargetLength:N0} ({(double)result.SourceLength / result.TargetLength:F2}:1), {elapsed.TotalMilliseconds:F0} ms"));
            }
        }
    }

    private static void AssertDcmdumpReadsCleanly(string path)
    {
        var (exitCode, text) = RunCapturing("dcmdump", "-q", "+E", path);
        Assert.True(exitCode == 0, $"dcmdump exited {exitCode}: {text}");
        Assert.DoesNotContain("E: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("W: ", text, StringComparison.Ordinal);
    }

    private static void Run(string tool, params string[] arguments)
    {
        var (exitCode, text) = RunCapturing(tool, arguments);
        Assert.True(exitCode == 0, $"{tool} exited {exitCode}: {text}");
    }

    private static (int ExitCode, string Output) RunCapturing(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"{tool} did not finish in 30 s");
        }
        // dcmdump prints the whole data set on stdout; only its complaints (stderr) matter here.
        _ = stdout.Result;
        return (process.ExitCode, stderr.Result);
    }
}
