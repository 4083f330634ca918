using SkiaSharp;

namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>Encoding through SkiaSharp, checked by decoding the output with SkiaSharp's own decoders.</summary>
public sealed class SkiaImageEncoderTests
{
    [Fact]
    public void Encode_GreyPng_LosslessRoundTrip()
    {
        var pixels = Enumerable.Range(0, 17 * 5).Select(i => (byte)(i * 3)).ToArray();

        var png = SkiaImageEncoder.Encode(new DisplayImage(17, 5, 1, pixels), 17, 5, RenderedFormat.Png, 90);

        using var decoded = SKBitmap.Decode(png);
        Assert.Equal((17, 5), (decoded.Width, decoded.Height));
        Assert.Equal(pixels, Grey(decoded));
    }

    [Fact]
    public void Encode_RgbPng_LosslessRoundTrip()
    {
        byte[] pixels = [255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 34, 56];

        var png = SkiaImageEncoder.Encode(new DisplayImage(2, 2, 3, pixels), 2, 2, RenderedFormat.Png, 90);

        using var decoded = SKBitmap.Decode(png);
        var colours = Enumerable.Range(0, 4).Select(i => decoded.GetPixel(i % 2, i / 2)).SelectMany(c => new[] { c.Red, c.Green, c.Blue });
        Assert.Equal(pixels, colours);
    }

    [Fact]
    public void Encode_Jpeg_DecodesAtAskedSizeAndQualityChangesSize()
    {
        var random = new Random(7);
        var pixels = new byte[256 * 256];
        random.NextBytes(pixels);
        var image = new DisplayImage(256, 256, 1, pixels);

        var high = SkiaImageEncoder.Encode(image, 128, 64, RenderedFormat.Jpeg, 95);
        var low = SkiaImageEncoder.Encode(image, 128, 64, RenderedFormat.Jpeg, 10);

        Assert.Equal([0xFF, 0xD8], high[..2]);
        using var decoded = SKBitmap.Decode(high);
        Assert.Equal((128, 64), (decoded.Width, decoded.Height));
        Assert.True(low.Length < high.Length, $"quality 10 gave {low.Length} bytes, quality 95 {high.Length}");
    }

    [Fact]
    public void Encode_ScaledDown_UniformImageStaysUniform()
    {
        var png = SkiaImageEncoder.Encode(new DisplayImage(100, 50, 1, Enumerable.Repeat((byte)77, 5000).ToArray()), 10, 5, RenderedFormat.Png, 90);

        using var decoded = SKBitmap.Decode(png);
        Assert.All(Grey(decoded), v => Assert.Equal(77, v));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Encode_QualityOutOfRange_Refused(int quality) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SkiaImageEncoder.Encode(new DisplayImage(1, 1, 1, [0]), 1, 1, RenderedFormat.Jpeg, quality));

    internal static byte[] Grey(SKBitmap bitmap)
    {
        var values = new byte[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
                values[(y * bitmap.Width) + x] = bitmap.GetPixel(x, y).Red;
        }
        return values;
    }
}
