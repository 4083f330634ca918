using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>What the facade refuses: decode bombs before anything is allocated, corrupt frames without crashing.</summary>
public sealed class DicomCodecsBadInputTests : IDisposable
{
    private const string JpegLsImage = "MR_small_jpeg_ls_lossless.dcm";
    private const string Jpeg2000Image = "MR_small_jp2klossless.dcm";

    // MR_small: 64 × 64, one sample of 16 bits, one frame.
    private const long MrSmallDecodedBytes = 64 * 64 * 2;

    private readonly string _directory = Directory.CreateTempSubdirectory("codec-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_LimitNotPositive_Throws(long limit) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DicomCodecs(new DicomCodecOptions { MaxDecodedBytes = limit }));

    [Fact]
    public async Task DecodeFramesAsync_DecodedSizeAtLimit_Decodes()
    {
        var codecs = new DicomCodecs(new DicomCodecOptions { MaxDecodedBytes = MrSmallDecodedBytes });

        var decoded = await codecs.DecodeFramesAsync(TestCorpus.TestFile(JpegLsImage));

        Assert.Equal(MrSmallDecodedBytes, Assert.Single(decoded.Frames).Length);
    }

    [Fact]
    public async Task DecodeFramesAsync_DecodedSizeOneByteOverLimit_RefusedFromHeader()
    {
        var codecs = new DicomCodecs(new DicomCodecOptions { MaxDecodedBytes = MrSmallDecodedBytes - 1 });

        var exception = await Assert.ThrowsAsync<DicomCodecException>(() => codecs.DecodeFramesAsync(TestCorpus.TestFile(JpegLsImage)));

        Assert.Contains("declares 64 × 64 × 1 samples × 2 bytes × 1 frames = 8,192 decoded bytes, more than the limit of 8,191", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeFramesAsync_HeaderDeclaringTerabytes_RefusedBeforeGdcmReadsIt()
    {
        // A 10 KB file claiming 65535 × 65535 × 1000 frames of 16 bits: 8.6 TB if anyone believed it.
        var bomb = Copy(JpegLsImage);
        RunTool("dcmodify", "-nb", "-i", "(0028,0010)=65535", "-i", "(0028,0011)=65535", "-i", "(0028,0008)=1000", bomb);

        var exception = await Assert.ThrowsAsync<DicomCodecException>(() => new DicomCodecs().DecodeFramesAsync(bomb));

        // "declares" is the managed header check; GDCM's own would say "according to GDCM".
        Assert.Contains("declares 65535 × 65535 × 1 samples × 2 bytes × 1000 frames = 8,589,672,450,000 decoded bytes", exception.Message, StringComparison.Ordinal);
        Assert.Null(exception.InnerException);
    }

    [Theory]
    [InlineData(JpegLsImage)]
    [InlineData(Jpeg2000Image)]
    public async Task DecodeFramesAsync_CorruptFrame_ThrowsDicomCodecException(string name)
    {
        var corrupt = Copy(name);
        var bytes = await File.ReadAllBytesAsync(corrupt);
        var (offset, length) = LastFragment(bytes);
        // Overwrite the middle half of the code stream with marker bytes: no decoder can read through that.
        bytes.AsSpan(offset + (length / 4), length / 2).Fill(0xFF);
        await File.WriteAllBytesAsync(corrupt, bytes);

        var exception = await Assert.ThrowsAsync<DicomCodecException>(() => new DicomCodecs().DecodeFramesAsync(corrupt));

        Assert.Contains("pixel data is corrupt or not supported", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecodeFramesAsync_NotDicom_ThrowsDicomCodecException()
    {
        var path = Path.Combine(_directory, "not-dicom.dcm");
        await File.WriteAllTextAsync(path, "this is not DICOM");

        var exception = await Assert.ThrowsAsync<DicomCodecException>(() => new DicomCodecs().DecodeFramesAsync(path));

        Assert.Contains("not readable DICOM", exception.Message, StringComparison.Ordinal);
    }

    private string Copy(string name)
    {
        var path = Path.Combine(_directory, name);
        File.Copy(TestCorpus.TestFile(name), path);
        return path;
    }

    /// <summary>Where the last fragment's bytes are in the file (our reader's values are slices of the bytes it parsed).</summary>
    private static (int Offset, int Length) LastFragment(byte[] file)
    {
        var pixelData = Assert.IsType<DicomFragmentSequence>(DicomFile.Parse(file).Dataset.GetAttribute(DicomTag.PixelData));
        var fragment = pixelData.Fragments[^1].Data;
        Assert.True(MemoryMarshal.TryGetArray(fragment, out var segment) && segment.Array == file);
        return (segment.Offset, segment.Count);
    }

    private static void RunTool(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"{tool} did not finish");
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {stderr.Result}");
    }
}
