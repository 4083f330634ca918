using OrleansImaging.Dicom.Codecs;

namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>The display pipeline on synthetic frames: every expected grey level follows from the formulas by hand.</summary>
public sealed class DisplayPipelineTests
{
    private static readonly VoiWindow ExactZeroTo2000 = new(0, 2000, VoiLutFunction.LinearExact);

    [Fact]
    public void Render_RescaleSlopeAndIntercept_AppliedBeforeWindow()
    {
        // Modality values 2v − 1000: −1000, 1000, 3000, 5000; window [−1000, 3000].
        var image = DisplayPipeline.Render(Synthetic.Grey(4, 1), Synthetic.Words(0, 1000, 2000, 3000),
            new DisplayAttributes(2, -1000, null, 1), new VoiWindow(1000, 4000, VoiLutFunction.LinearExact));

        Assert.Equal([0, 128, 255, 255], image.Pixels);
    }

    [Fact]
    public void Render_Signed16Bit_TwosComplementRead()
    {
        var image = DisplayPipeline.Render(Synthetic.Grey(3, 1, pixelRepresentation: 1), Synthetic.Words(-1000, 0, 1000), DisplayAttributes.None, ExactZeroTo2000);

        Assert.Equal([0, 128, 255], image.Pixels);
    }

    [Fact]
    public void Render_BitsStored12_HighBitsMaskedAndSignExtended()
    {
        // 0xF800 holds garbage above bit 11: unsigned it is 2048; signed 12-bit 0x0FFF is −1 and 0x0800 is −2048.
        var unsigned = DisplayPipeline.Render(Synthetic.Grey(2, 1, bitsStored: 12), Synthetic.Words(0xF800, 0x0000), DisplayAttributes.None, new VoiWindow(1024, 2048, VoiLutFunction.LinearExact));
        var signed = DisplayPipeline.Render(Synthetic.Grey(3, 1, bitsStored: 12, pixelRepresentation: 1), Synthetic.Words(0x0FFF, 0x0800, 0x07FF), DisplayAttributes.None, new VoiWindow(-1, 4094, VoiLutFunction.LinearExact));

        Assert.Equal([255, 0], unsigned.Pixels);
        Assert.Equal([128, 0, 255], signed.Pixels);
        Assert.Equal(-1, DisplayPipeline.StoredValue(0xFFFF, 12, signed: true));
        Assert.Equal(4095, DisplayPipeline.StoredValue(0xFFFF, 12, signed: false));
    }

    [Fact]
    public void Render_Monochrome1_Inverted()
    {
        var frame = Synthetic.Words(-1000, 0, 1000);

        var mono2 = DisplayPipeline.Render(Synthetic.Grey(3, 1, pixelRepresentation: 1), frame, DisplayAttributes.None, ExactZeroTo2000);
        var mono1 = DisplayPipeline.Render(Synthetic.Grey(3, 1, pixelRepresentation: 1, photometric: "MONOCHROME1"), frame, DisplayAttributes.None, ExactZeroTo2000);

        Assert.Equal([0, 128, 255], mono2.Pixels);
        Assert.Equal([255, 127, 0], mono1.Pixels);
    }

    [Fact]
    public void Render_NoWindowAsked_ObjectsOwnWindowUsed()
    {
        var attributes = new DisplayAttributes(1, 0, new VoiWindow(100, 100, VoiLutFunction.LinearExact), 1);

        var image = DisplayPipeline.Render(Synthetic.Grey(3, 1), Synthetic.Words(50, 100, 150), attributes);

        Assert.Equal([0, 128, 255], image.Pixels);
    }

    [Fact]
    public void Render_NoWindowAnywhere_ModalityValueRangeUsed()
    {
        // Modality values −900, −800, −700 (intercept −1000): the range maps onto 0–255.
        var image = DisplayPipeline.Render(Synthetic.Grey(3, 1), Synthetic.Words(100, 200, 300), new DisplayAttributes(1, -1000, null, 1));

        Assert.Equal([0, 128, 255], image.Pixels);
    }

    [Fact]
    public void Render_AskedWindowFunctions_DifferAsTheirFormulas()
    {
        var frame = Synthetic.Words(0, 100, 200);
        var description = Synthetic.Grey(3, 1);

        var linear = DisplayPipeline.Render(description, frame, DisplayAttributes.None, new VoiWindow(100, 101));
        var exact = DisplayPipeline.Render(description, frame, DisplayAttributes.None, new VoiWindow(100, 101, VoiLutFunction.LinearExact));
        var sigmoid = DisplayPipeline.Render(description, frame, DisplayAttributes.None, new VoiWindow(100, 100, VoiLutFunction.Sigmoid));

        Assert.Equal([0, 129, 255], linear.Pixels); // ((100 − 99.5) / 100 + 0.5) × 255 = 128.775
        Assert.Equal([0, 128, 255], exact.Pixels);
        Assert.Equal([5, 128, 250], sigmoid.Pixels); // 255 / (1 + e^±4)
    }

    [Fact]
    public void Render_EightBitGrey_Read()
    {
        var image = DisplayPipeline.Render(Synthetic.Grey(3, 1, 8, 8), [0, 128, 255], DisplayAttributes.None, new VoiWindow(127.5, 255, VoiLutFunction.LinearExact));

        Assert.Equal([0, 128, 255], image.Pixels);
    }

    [Fact]
    public void Render_RgbPlanar0And1_SamePixels()
    {
        // Two pixels: red (255, 0, 0) and teal (0, 128, 128).
        byte[] interleaved = [255, 0, 0, 0, 128, 128];
        byte[] planes = [255, 0, 0, 128, 0, 128];

        var byPixel = DisplayPipeline.Render(Synthetic.Colour(2, 1, planar: 0), interleaved, DisplayAttributes.None);
        var byPlane = DisplayPipeline.Render(Synthetic.Colour(2, 1, planar: 1), planes, DisplayAttributes.None);

        Assert.Equal(interleaved, byPixel.Pixels);
        Assert.Equal(interleaved, byPlane.Pixels);
        Assert.Equal(3, byPlane.Channels);
    }

    [Fact]
    public void Render_Rgb16Bit_ScaledToEightBits()
    {
        var image = DisplayPipeline.Render(Synthetic.Colour(1, 1, bits: 16), Synthetic.Words(65535, 0, 32768), DisplayAttributes.None);

        Assert.Equal([255, 0, 128], image.Pixels);
    }

    [Fact]
    public void Render_YbrFull_ConvertedToRgb()
    {
        // Y Cb Cr of pure red (76, 85, 255) and of mid grey (128, 128, 128).
        var image = DisplayPipeline.Render(Synthetic.Colour(2, 1, "YBR_FULL"), [76, 85, 255, 128, 128, 128], DisplayAttributes.None);

        Assert.Equal([254, 0, 0, 128, 128, 128], image.Pixels);
    }

    [Fact]
    public void Render_NativeYbrFull422_ChromaSharedByPairs()
    {
        // Y1 Y2 Cb Cr: two greys of different luminance sharing neutral chroma.
        var image = DisplayPipeline.Render(Synthetic.Colour(2, 1, "YBR_FULL_422"), [10, 200, 128, 128], DisplayAttributes.None);

        Assert.Equal([10, 10, 10, 200, 200, 200], image.Pixels);
    }

    [Fact]
    public void Render_PaletteColor_MappedFromFirstValueAndClampedAtBothEnds()
    {
        // Entries for values 10, 11, 12; 9 takes the first, 13 the last (PS3.3 C.7.6.3.1.5).
        var palette = new PaletteLookup(10, [1, 2, 3], [4, 5, 6], [7, 8, 9]);
        var attributes = DisplayAttributes.None with { Palette = palette };

        var image = DisplayPipeline.Render(new DicomImageDescription(1, 4, 1, 8, 8, 0, 0, "PALETTE COLOR", 1), [9, 10, 12, 13], attributes);

        Assert.Equal([1, 4, 7, 1, 4, 7, 3, 6, 9, 3, 6, 9], image.Pixels);
    }

    [Theory]
    [InlineData(1, "PALETTE COLOR")]
    [InlineData(3, "YBR_PARTIAL_420")]
    [InlineData(4, "ARGB")]
    public void Render_UndrawnPhotometric_Unsupported(int samples, string photometric)
    {
        var description = new DicomImageDescription(1, 1, samples, 8, 8, 0, 0, photometric, 1);

        var ex = Assert.Throws<DicomRenderException>(() => DisplayPipeline.Render(description, new byte[samples], DisplayAttributes.None));

        Assert.Equal(DicomRenderFailure.Unsupported, ex.Failure);
        Assert.Contains(photometric, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FrameShorterThanDescribed_UnsupportedNotOutOfRange()
    {
        var ex = Assert.Throws<DicomRenderException>(() => DisplayPipeline.Render(Synthetic.Grey(4, 4), new byte[10], DisplayAttributes.None));

        Assert.Equal(DicomRenderFailure.Unsupported, ex.Failure);
    }
}
