using System.Runtime.InteropServices;
using SkiaSharp;

namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// Scales and encodes <see cref="DisplayImage"/>s with SkiaSharp: its resampling, its JPEG (libjpeg-turbo) and PNG
/// (libpng) encoders. Greyscale stays one channel (a greyscale JPEG or PNG), colour is 8-bit RGB.
/// </summary>
public static class SkiaImageEncoder
{
    /// <summary>Encodes <paramref name="image"/> at <paramref name="width"/> × <paramref name="height"/> (scaled when different).</summary>
    /// <param name="image">The display image.</param>
    /// <param name="width">Output columns.</param>
    /// <param name="height">Output rows.</param>
    /// <param name="format">JPEG or PNG.</param>
    /// <param name="quality">JPEG quality 1–100 (PNG is lossless and ignores it).</param>
    public static byte[] Encode(DisplayImage image, int width, int height, RenderedFormat format, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        using var source = ToBitmap(image);
        using var scaled = width == image.Width && height == image.Height ? null : Scale(source, width, height);
        using var skImage = SKImage.FromBitmap(scaled ?? source);
        using var data = skImage.Encode(format == RenderedFormat.Png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width} × {height} image as {format}.");
        return data.ToArray();
    }

    private static SKBitmap ToBitmap(DisplayImage image)
    {
        var colorType = image.Channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, colorType, SKAlphaType.Opaque));
        try
        {
            var rowBytes = bitmap.RowBytes;
            var row = new byte[rowBytes];
            var pointer = bitmap.GetPixels();
            for (var y = 0; y < image.Height; y++)
            {
                var source = image.Pixels.AsSpan(y * image.Width * image.Channels, image.Width * image.Channels);
                if (image.Channels == 1)
                {
                    source.CopyTo(row);
                }
                else
                {
                    for (var x = 0; x < image.Width; x++)
                    {
                        source.Slice(x * 3, 3).CopyTo(row.AsSpan(x * 4, 3));
                        row[(x * 4) + 3] = 255;
                    }
                }
                Marshal.Copy(row, 0, pointer + (y * rowBytes), rowBytes);
            }
            return bitmap;
        }
        catch
        {
            bitmap.Dispose();
            throw;
        }
    }

    private static SKBitmap Scale(SKBitmap source, int width, int height)
    {
        // Shrinking through mipmaps avoids the aliasing of sampling a few source pixels; enlarging is cubic (Mitchell).
        var sampling = width < source.Width || height < source.Height
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);
        return source.Resize(new SKImageInfo(width, height, source.ColorType, SKAlphaType.Opaque), sampling)
            ?? throw new InvalidOperationException($"SkiaSharp could not scale a {source.Width} × {source.Height} image to {width} × {height}.");
    }
}
