using OrleansImaging.Dicom.Codecs;
using SkiaSharp;

namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>
/// Every file of the pydicom corpus's test_files through the renderer (default window, PNG), judged against dcmtk:
/// where dcmtk renders the file (itself, or after gdcmconv --raw for JPEG 2000, which dcmtk cannot decode), ours must
/// be the same size and at most 1 grey level apart; where we do not render, the refusal must be a
/// <see cref="DicomRenderException"/> naming no path, and dcmtk must not be able to render the file either unless the
/// codec facade refuses it on purpose (its documented GDCM workarounds).
/// </summary>
public sealed class DicomRendererWholeCorpusTests
{
    // Refused by the codec facade on purpose (see DicomCodecs): GDCM would abort or return wrong pixels; dcmtk renders them.
    private static readonly string[] FacadeRefusals =
        ["Frame Increment Pointer", "decodes with its bytes out of order", "does not hold", "is missing or not a number"];

    public static TheoryData<string> Files() => [.. Directory.GetFiles(Path.Combine(CorpusRoot(), "test_files"), "*.dcm").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task RenderAsync_CorpusFile_AgreesWithDcmtk(string name)
    {
        var path = Path.Combine(CorpusRoot(), "test_files", name);
        RenderedImage? rendered = null;
        DicomRenderException? refusal = null;
        try
        {
            rendered = await new DicomRenderer(new DicomCodecs()).RenderAsync(path, new RenderRequest(Format: RenderedFormat.Png));
        }
        catch (DicomRenderException ex)
        {
            refusal = ex;
        }

        using var reference = Reference(path);
        if (rendered is not null)
        {
            Assert.True(reference is not null, $"{name}: we render it but neither dcmtk nor gdcmconv + dcmtk can, so nothing checks our pixels");
            using var actual = SKBitmap.Decode(rendered.Content);
            Assert.InRange(Dcmj2pnm.MaxDifference(reference, actual), 0, 1);
        }
        else
        {
            Assert.DoesNotContain(path, refusal!.Message, StringComparison.Ordinal);
            if (reference is not null)
                Assert.Contains(FacadeRefusals, reason => refusal.Message.Contains(reason, StringComparison.Ordinal));
        }
    }

    /// <summary>dcmtk's rendering with the window our renderer defaults to (the object's first, else the value range).</summary>
    private static SKBitmap? Reference(string path)
    {
        string[] window = HasWindow(path) ? ["+Wi", "1"] : ["+Wm"];
        if (Dcmj2pnm.TryRender(path, window, out var bitmap, out _))
            return bitmap;
        if (Dcmj2pnm.GdcmconvRaw(path) is not { } raw)
            return null;
        try
        {
            return Dcmj2pnm.TryRender(raw, window, out bitmap, out _) ? bitmap : null;
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static bool HasWindow(string path)
    {
        try
        {
            var dataset = DicomFile.Open(path, IO.DicomReadOptions.HeaderOnly).Dataset;
            return DisplayAttributes.FromDataset(dataset).Window is not null;
        }
        catch (DicomException)
        {
            return false;
        }
    }

    private static string CorpusRoot()
    {
        var root = Environment.GetEnvironmentVariable("IMAGING_CORPUS");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); string.IsNullOrEmpty(root) && dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".corpus", "pydicom")))
                root = Path.Combine(dir.FullName, ".corpus", "pydicom");
        }
        return root ?? throw new InvalidOperationException("The pydicom corpus is missing: set IMAGING_CORPUS.");
    }
}
