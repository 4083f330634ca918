using System.Diagnostics;
using SkiaSharp;

namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>
/// dcmtk's dcmj2pnm as the independent reference renderer: it writes a PNG of a DICOM file with the window options
/// given (+Wm min-max, +Wi n the object's n-th window, +Ww c w a given one), which SkiaSharp decodes for comparison.
/// JPEG-LS files go to its sibling dcml2pnm, which has the JPEG-LS decoder.
/// </summary>
internal static class Dcmj2pnm
{
    public static SKBitmap Render(string path, params string[] options) =>
        TryRender(path, options, out var bitmap, out var errors) ? bitmap : throw new Xunit.Sdk.XunitException($"dcmj2pnm failed on {Path.GetFileName(path)}: {errors}");

    /// <summary>Like <see cref="Render"/>, returning false (with dcmtk's messages) when dcmtk cannot render the file.</summary>
    public static bool TryRender(string path, string[] options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SKBitmap? bitmap, out string errors)
    {
        var output = Path.Combine(Path.GetTempPath(), $"dcmj2pnm-{Guid.NewGuid():N}.png");
        try
        {
            var start = new ProcessStartInfo(path.Contains("jpeg_ls", StringComparison.OrdinalIgnoreCase) ? "dcml2pnm" : "dcmj2pnm") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("--write-png");
            foreach (var option in options)
                start.ArgumentList.Add(option);
            start.ArgumentList.Add(path);
            start.ArgumentList.Add(output);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            errors = stderr.Result;
            bitmap = process.ExitCode == 0 ? SKBitmap.Decode(output) : null;
            return bitmap is not null;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>
    /// GDCM's gdcmconv --raw: the file decoded to a native transfer syntax, for the files dcmtk cannot decompress
    /// itself (JPEG 2000). The caller deletes the returned file.
    /// </summary>
    public static string? GdcmconvRaw(string path)
    {
        var output = Path.Combine(Path.GetTempPath(), $"gdcmconv-{Guid.NewGuid():N}.dcm");
        var start = new ProcessStartInfo("gdcmconv") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["--raw", path, output])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return process.ExitCode == 0 && File.Exists(output) ? output : null;
    }

    /// <summary>The largest difference of any channel of any pixel; the sizes must match exactly.</summary>
    public static int MaxDifference(SKBitmap expected, SKBitmap actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var worst = 0;
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                SKColor e = expected.GetPixel(x, y), a = actual.GetPixel(x, y);
                worst = Math.Max(worst, Math.Max(Math.Abs(e.Red - a.Red), Math.Max(Math.Abs(e.Green - a.Green), Math.Abs(e.Blue - a.Blue))));
            }
        }
        return worst;
    }
}
