using System.Buffers.Binary;
using OrleansImaging.Dicom.Codecs;

namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// Turns one decoded frame into 8-bit display pixels (PS3.4 N.2's grayscale pipeline without presentation states):
/// greyscale through Bits Stored masking and sign extension, the Modality LUT (rescale), the VOI window and MONOCHROME1
/// inversion; colour (RGB, YBR_FULL, YBR_FULL_422, PALETTE COLOR) converted to 8-bit RGB. Pure functions over arrays: no I/O.
/// </summary>
public static class DisplayPipeline
{
    private const int MaxLookupBits = 16;

    /// <summary>Renders <paramref name="frame"/>, described by <paramref name="description"/>.</summary>
    /// <param name="description">What the frame bytes are (after decoding).</param>
    /// <param name="frame">The frame's native little-endian bytes.</param>
    /// <param name="attributes">Rescale and the object's own window.</param>
    /// <param name="window">The window asked for; null for the object's, or else the frame's value range.</param>
    /// <exception cref="DicomRenderException">The image is of a kind not drawn here, or the bytes do not match the description.</exception>
    public static DisplayImage Render(DicomImageDescription description, ReadOnlySpan<byte> frame, DisplayAttributes attributes, VoiWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(attributes);
        if (description.BitsAllocated is not (8 or 16 or 32))
            throw Unsupported($"Bits Allocated {description.BitsAllocated} is not rendered; 8, 16 and 32 are.");
        if (description.BitsStored < 1 || description.BitsStored > description.BitsAllocated)
            throw Unsupported($"Bits Stored {description.BitsStored} does not fit Bits Allocated {description.BitsAllocated}.");
        var photometric = description.PhotometricInterpretation.Trim().ToUpperInvariant();
        return (description.SamplesPerPixel, photometric) switch
        {
            (1, "MONOCHROME1" or "MONOCHROME2") => Greyscale(description, frame, attributes, window, invert: photometric == "MONOCHROME1"),
            (3, "RGB" or "YBR_FULL" or "YBR_FULL_422") => Colour(description, frame, photometric),
            (1, "PALETTE COLOR") => Palette(description, frame, attributes.Palette
                ?? throw Unsupported("The PALETTE COLOR image has no usable Red, Green and Blue Palette Color Lookup Tables (segmented palettes are not rendered).")),
            _ => throw Unsupported($"{description.SamplesPerPixel} sample(s) per pixel with Photometric Interpretation '{photometric}' are not rendered; "
                + "MONOCHROME1, MONOCHROME2, PALETTE COLOR, RGB, YBR_FULL and YBR_FULL_422 are."),
        };
    }

    private static DisplayImage Greyscale(DicomImageDescription d, ReadOnlySpan<byte> frame, DisplayAttributes attributes, VoiWindow? window, bool invert)
    {
        var count = checked(d.Rows * d.Columns);
        var bytesPerSample = d.BitsAllocated / 8;
        if (frame.Length < (long)count * bytesPerSample)
            throw Unsupported($"The frame has {frame.Length:N0} bytes, fewer than {d.Rows} × {d.Columns} samples of {bytesPerSample} byte(s).");
        var stored = new long[count];
        var signed = d.PixelRepresentation == 1;
        for (var i = 0; i < count; i++)
            stored[i] = StoredValue(ReadSample(frame, i, bytesPerSample), d.BitsStored, signed);
        var slope = attributes.RescaleSlope;
        var intercept = attributes.RescaleIntercept;
        var voi = window ?? attributes.Window ?? RangeWindow(stored, slope, intercept);
        var output = new byte[count];
        if (d.BitsStored <= MaxLookupBits)
        {
            // One window evaluation per possible stored value instead of per pixel: at most 65,536, usually far fewer than pixels.
            var minimum = signed ? -(1L << (d.BitsStored - 1)) : 0;
            var lookup = new byte[1 << d.BitsStored];
            for (var v = 0; v < lookup.Length; v++)
                lookup[v] = Display(voi, (minimum + v) * slope + intercept, invert);
            for (var i = 0; i < count; i++)
                output[i] = lookup[stored[i] - minimum];
        }
        else
        {
            for (var i = 0; i < count; i++)
                output[i] = Display(voi, stored[i] * slope + intercept, invert);
        }
        return new DisplayImage(d.Columns, d.Rows, 1, output);
    }

    /// <summary>The stored value: the low Bits Stored bits, sign-extended when Pixel Representation is 1.</summary>
    internal static long StoredValue(uint sample, int bitsStored, bool signed)
    {
        var value = bitsStored >= 32 ? sample : sample & ((1u << bitsStored) - 1);
        if (signed && (value & (1u << (bitsStored - 1))) != 0)
            return (long)value - (1L << bitsStored);
        return value;
    }

    private static VoiWindow RangeWindow(long[] stored, double slope, double intercept)
    {
        if (stored.Length == 0)
            return VoiWindow.FromRange(0, 1);
        var (low, high) = (stored.Min(), stored.Max());
        // A negative slope swaps which stored value is the smallest modality value.
        var (a, b) = (low * slope + intercept, high * slope + intercept);
        return VoiWindow.FromRange(Math.Min(a, b), Math.Max(a, b));
    }

    private static byte Display(VoiWindow window, double modalityValue, bool invert)
    {
        var value = (byte)Math.Clamp(Math.Round(window.Apply(modalityValue), MidpointRounding.AwayFromZero), 0, 255);
        return invert ? (byte)(255 - value) : value;
    }

    private static DisplayImage Palette(DicomImageDescription d, ReadOnlySpan<byte> frame, PaletteLookup palette)
    {
        var count = checked(d.Rows * d.Columns);
        var bytesPerSample = d.BitsAllocated / 8;
        if (frame.Length < (long)count * bytesPerSample)
            throw Unsupported($"The frame has {frame.Length:N0} bytes, fewer than {d.Rows} × {d.Columns} samples of {bytesPerSample} byte(s).");
        var output = new byte[count * 3];
        for (var p = 0; p < count; p++)
            palette.Map(StoredValue(ReadSample(frame, p, bytesPerSample), d.BitsStored, signed: false), output.AsSpan(p * 3, 3));
        return new DisplayImage(d.Columns, d.Rows, 3, output);
    }

    private static DisplayImage Colour(DicomImageDescription d, ReadOnlySpan<byte> frame, string photometric)
    {
        var count = checked(d.Rows * d.Columns);
        var bytesPerSample = d.BitsAllocated / 8;
        var full = (long)count * 3 * bytesPerSample;
        // Native YBR_FULL_422 (PS3.3 C.7.6.3.1.2) keeps two samples per pixel: Y Y Cb Cr for each pair of columns.
        // Decoded JPEG comes out with three, so the length tells which this is.
        if (photometric == "YBR_FULL_422" && frame.Length < full)
            return Subsampled422(d, frame, bytesPerSample);
        if (frame.Length < full)
            throw Unsupported($"The frame has {frame.Length:N0} bytes, fewer than {d.Rows} × {d.Columns} × 3 samples of {bytesPerSample} byte(s).");
        var output = new byte[count * 3];
        var maximum = d.BitsStored >= 32 ? uint.MaxValue : (1u << d.BitsStored) - 1;
        Span<byte> sample = stackalloc byte[3];
        for (var p = 0; p < count; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                // Planar configuration 1 keeps each colour's plane whole: all reds, then all greens, then all blues.
                var index = d.PlanarConfiguration == 1 ? (c * count) + p : (p * 3) + c;
                sample[c] = ToEightBits(ReadSample(frame, index, bytesPerSample), d.BitsStored, maximum);
            }
            if (photometric == "RGB")
                sample.CopyTo(output.AsSpan(p * 3, 3));
            else
                YbrToRgb(sample[0], sample[1], sample[2], output.AsSpan(p * 3, 3));
        }
        return new DisplayImage(d.Columns, d.Rows, 3, output);
    }

    private static DisplayImage Subsampled422(DicomImageDescription d, ReadOnlySpan<byte> frame, int bytesPerSample)
    {
        if (bytesPerSample != 1 || d.Columns % 2 != 0)
            throw Unsupported("Native YBR_FULL_422 is rendered only with 8-bit samples and an even number of columns.");
        var count = d.Rows * d.Columns;
        if (frame.Length < count * 2)
            throw Unsupported($"The frame has {frame.Length:N0} bytes, fewer than the {count * 2:N0} of {d.Rows} × {d.Columns} YBR_FULL_422 pixels.");
        var output = new byte[count * 3];
        for (var pair = 0; pair < count / 2; pair++)
        {
            var source = frame.Slice(pair * 4, 4);
            YbrToRgb(source[0], source[2], source[3], output.AsSpan(pair * 6, 3));
            YbrToRgb(source[1], source[2], source[3], output.AsSpan((pair * 6) + 3, 3));
        }
        return new DisplayImage(d.Columns, d.Rows, 3, output);
    }

    /// <summary>YCbCr full range to RGB, by the inverse of PS3.3 C.7.6.3.1.2's YBR_FULL equations.</summary>
    internal static void YbrToRgb(byte y, byte cb, byte cr, Span<byte> rgb)
    {
        double blue = cb - 128.0, red = cr - 128.0;
        rgb[0] = Clamp(y + (1.402 * red));
        rgb[1] = Clamp(y - (0.344136 * blue) - (0.714136 * red));
        rgb[2] = Clamp(y + (1.772 * blue));
    }

    private static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), 0, 255);

    private static byte ToEightBits(uint sample, int bitsStored, uint maximum)
    {
        var value = bitsStored >= 32 ? sample : sample & maximum;
        return bitsStored == 8 ? (byte)value : Clamp(value * 255.0 / maximum);
    }

    private static uint ReadSample(ReadOnlySpan<byte> frame, int index, int bytesPerSample) => bytesPerSample switch
    {
        1 => frame[index],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(frame.Slice(index * 2, 2)),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(index * 4, 4)),
    };

    private static DicomRenderException Unsupported(string message) => new(DicomRenderFailure.Unsupported, message);
}
