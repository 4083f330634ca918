using System.Globalization;
using OrleansImaging.Dicom.Codecs;
using SkiaSharp;

namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>
/// The whole renderer (our header reader, the GDCM facade, the pipeline, SkiaSharp) on pydicom corpus files, against
/// dcmtk's dcmj2pnm rendering the same file with the same window: at most 1 grey level apart (rounding), same size.
/// </summary>
public sealed class DicomRendererCorpusTests
{
    private readonly DicomRenderer _renderer = new(new DicomCodecs());

    [Theory]
    [InlineData("CT_small.dcm", "+Wm")] // signed 16-bit with rescale, no window of its own: the value range
    [InlineData("MR_small.dcm", "+Wi", "1")] // its own window 600/1600
    [InlineData("JPEG-lossy.dcm", "+Wm")] // 12-bit JPEG extended
    [InlineData("MR_small_jpeg_ls_lossless.dcm", "+Wi", "1")] // JPEG-LS lossless (dcmj2pnm reads it through dcmjpls)
    [InlineData("SC_rgb_rle.dcm")] // RGB, RLE
    [InlineData("SC_rgb_jpeg_dcmtk.dcm")] // YBR_FULL JPEG baseline
    [InlineData("SC_ybr_full_422_uncompressed.dcm")] // native YBR_FULL_422
    public async Task RenderAsync_CorpusFilePng_MatchesDcmj2pnm(string name, params string[] window)
    {
        var path = Corpus(name);

        var rendered = await _renderer.RenderAsync(path, new RenderRequest(Format: RenderedFormat.Png));

        using var actual = SKBitmap.Decode(rendered.Content);
        using var expected = Dcmj2pnm.Render(path, window);
        Assert.Equal("image/png", rendered.MediaType);
        Assert.Equal((expected.Width, expected.Height), (rendered.Width, rendered.Height));
        Assert.InRange(Dcmj2pnm.MaxDifference(expected, actual), 0, 1);
    }

    [Theory]
    [InlineData("CT_small.dcm", 40, 400)]
    [InlineData("CT_small.dcm", -600, 1500)]
    [InlineData("MR_small.dcm", 300, 500)]
    public async Task RenderAsync_AskedLinearWindow_MatchesDcmj2pnm(string name, double center, double width)
    {
        var path = Corpus(name);

        var rendered = await _renderer.RenderAsync(path, new RenderRequest(Format: RenderedFormat.Png, Window: new VoiWindow(center, width)));

        using var actual = SKBitmap.Decode(rendered.Content);
        using var expected = Dcmj2pnm.Render(path, "+Ww", center.ToString(CultureInfo.InvariantCulture), width.ToString(CultureInfo.InvariantCulture));
        Assert.InRange(Dcmj2pnm.MaxDifference(expected, actual), 0, 1);
    }

    [Theory]
    [InlineData("PhotometricInterpretation", "MONOCHROME1")] // inverted after the window
    [InlineData("VOILUTFunction", "SIGMOID")] // the object's own window, as a sigmoid
    public async Task RenderAsync_VariantOfMrSmall_MatchesDcmj2pnm(string keyword, string value)
    {
        // MR_small with one attribute changed, written by our own writer, read by both renderers.
        var file = DicomFile.Parse(await File.ReadAllBytesAsync(Corpus("MR_small.dcm")));
        file.Dataset.AddOrUpdate(keyword == "VOILUTFunction" ? DicomTag.VOILUTFunction : DicomTag.PhotometricInterpretation, value);
        var path = Path.Combine(Path.GetTempPath(), $"render-variant-{Guid.NewGuid():N}.dcm");
        try
        {
            await using (var stream = File.Create(path))
                file.Save(stream);

            var rendered = await _renderer.RenderAsync(path, new RenderRequest(Format: RenderedFormat.Png));

            using var actual = SKBitmap.Decode(rendered.Content);
            using var expected = Dcmj2pnm.Render(path, "+Wi", "1");
            using var plain = Dcmj2pnm.Render(Corpus("MR_small.dcm"), "+Wi", "1");
            Assert.InRange(Dcmj2pnm.MaxDifference(expected, actual), 0, 1);
            Assert.True(Dcmj2pnm.MaxDifference(plain, actual) > 20, "the variant should look different from the plain MR");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RenderAsync_PaletteColorVariantOfMrSmall_MatchesDcmj2pnm()
    {
        // MR_small's 16-bit values read as palette indices (unsigned) into three 65,536-entry 16-bit ramps.
        var file = DicomFile.Parse(await File.ReadAllBytesAsync(Corpus("MR_small.dcm")));
        file.Dataset.AddOrUpdate(DicomTag.PhotometricInterpretation, "PALETTE COLOR").AddOrUpdate(DicomTag.PixelRepresentation, new ushort[] { 0 });
        foreach (var (descriptor, data, step) in new[]
        {
            (DicomTag.RedPaletteColorLookupTableDescriptor, DicomTag.RedPaletteColorLookupTableData, 64),
            (DicomTag.GreenPaletteColorLookupTableDescriptor, DicomTag.GreenPaletteColorLookupTableData, 97),
            (DicomTag.BluePaletteColorLookupTableDescriptor, DicomTag.BluePaletteColorLookupTableData, 131),
        })
        {
            var entries = new byte[65536 * 2];
            for (var i = 0; i < 65536; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(entries.AsSpan(i * 2), (ushort)(i * step));
            file.Dataset.AddOrUpdate(descriptor, DicomVR.US, new ushort[] { 0, 0, 16 }).AddOrUpdate(data, DicomVR.OW, entries);
        }
        var path = Path.Combine(Path.GetTempPath(), $"render-palette-{Guid.NewGuid():N}.dcm");
        try
        {
            await using (var stream = File.Create(path))
                file.Save(stream);

            var rendered = await _renderer.RenderAsync(path, new RenderRequest(Format: RenderedFormat.Png));

            using var actual = SKBitmap.Decode(rendered.Content);
            using var expected = Dcmj2pnm.Render(path);
            Assert.InRange(Dcmj2pnm.MaxDifference(expected, actual), 0, 1);
            Assert.NotEqual(actual.GetPixel(32, 32).Red, actual.GetPixel(32, 32).Green);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RenderAsync_MultiFrameSecondFrame_DiffersFromFirstAndMatchesDcmj2pnm()
    {
        var path = Corpus("SC_rgb_rle_2frame.dcm");

        var first = await _renderer.RenderAsync(path, new RenderRequest(Frame: 1, Format: RenderedFormat.Png));
        var second = await _renderer.RenderAsync(path, new RenderRequest(Frame: 2, Format: RenderedFormat.Png));

        using var actual = SKBitmap.Decode(second.Content);
        using var expected = Dcmj2pnm.Render(path, "+F", "2");
        Assert.InRange(Dcmj2pnm.MaxDifference(expected, actual), 0, 1);
        Assert.NotEqual(first.Content, second.Content);
    }

    [Fact]
    public async Task RenderAsync_JpegWithViewport_FitsViewportKeepingAspect()
    {
        // JPEG-lossy.dcm is 256 columns × 1024 rows: into 100 × 100 it is 25 × 100.
        var rendered = await _renderer.RenderAsync(Corpus("JPEG-lossy.dcm"), new RenderRequest(Viewport: new Viewport(100, 100), Quality: 75));

        using var decoded = SKBitmap.Decode(rendered.Content);
        Assert.Equal("image/jpeg", rendered.MediaType);
        Assert.Equal((25, 100), (decoded.Width, decoded.Height));
        Assert.Equal((25, 100), (rendered.Width, rendered.Height));
    }

    [Fact]
    public async Task RenderAsync_StructuredReport_NotAnImage()
    {
        var ex = await Assert.ThrowsAsync<DicomRenderException>(() => _renderer.RenderAsync(Corpus("test-SR.dcm"), new RenderRequest()));

        Assert.Equal(DicomRenderFailure.NotAnImage, ex.Failure);
    }

    [Fact]
    public async Task RenderAsync_FrameBeyondNumberOfFrames_NoSuchFrame()
    {
        var ex = await Assert.ThrowsAsync<DicomRenderException>(() => _renderer.RenderAsync(Corpus("CT_small.dcm"), new RenderRequest(Frame: 2)));

        Assert.Equal(DicomRenderFailure.NoSuchFrame, ex.Failure);
    }

    [Fact]
    public async Task RenderAsync_DecodeBomb_DecodeFailedWithoutPath()
    {
        // The facade refuses a file declaring more than its limit before decoding; the reason reaches the caller, the path does not.
        var renderer = new DicomRenderer(new DicomCodecs(new DicomCodecOptions { MaxDecodedBytes = 1000 }));
        var path = Corpus("CT_small.dcm");

        var ex = await Assert.ThrowsAsync<DicomRenderException>(() => renderer.RenderAsync(path, new RenderRequest()));

        Assert.Equal(DicomRenderFailure.DecodeFailed, ex.Failure);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(path, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("test_files", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_NotDicom_DecodeFailed()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "not a DICOM file at all, just text");

            var ex = await Assert.ThrowsAsync<DicomRenderException>(() => _renderer.RenderAsync(path, new RenderRequest()));

            Assert.Equal(DicomRenderFailure.DecodeFailed, ex.Failure);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Corpus(string name)
    {
        var root = Environment.GetEnvironmentVariable("IMAGING_CORPUS");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); string.IsNullOrEmpty(root) && dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".corpus", "pydicom")))
                root = Path.Combine(dir.FullName, ".corpus", "pydicom");
        }
        return Path.Combine(root ?? throw new InvalidOperationException("The pydicom corpus is missing: set IMAGING_CORPUS."), "test_files", name);
    }
}
