namespace OrleansImaging.Dicom.Codecs.Tests;

/// <summary>
/// Decoded pixels as sample values, for comparing two decodings of the same picture: colour-by-pixel whatever the
/// planar configuration, each sample masked to Bits Stored (what lies above it is not pixel data, and decoders
/// differ in whether they sign-extend into it).
/// </summary>
internal static class DecodedPixels
{
    public static uint[] Samples(IReadOnlyList<byte[]> frames, DicomImageDescription description, int bitsStored)
    {
        var bytes = description.BytesPerSample;
        var mask = bitsStored >= 32 ? uint.MaxValue : (1u << bitsStored) - 1;
        var perFrame = (int)(description.FrameLength / bytes);
        var pixels = (long)description.Rows * description.Columns;
        var samples = new uint[perFrame * frames.Count];
        for (var f = 0; f < frames.Count; f++)
        {
            var frame = frames[f];
            for (var i = 0; i < perFrame; i++)
            {
                // Where sample i (colour-by-pixel order) is in this frame.
                var source = description.PlanarConfiguration == 1 && description.SamplesPerPixel > 1
                    ? (i % description.SamplesPerPixel * pixels) + (i / description.SamplesPerPixel)
                    : i;
                uint value = 0;
                for (var b = 0; b < bytes; b++)
                    value |= (uint)frame[(int)(source * bytes) + b] << (8 * b);
                samples[(f * perFrame) + i] = value & mask;
            }
        }
        return samples;
    }

    public static string FirstDifference(uint[] expected, uint[] actual)
    {
        var index = expected.AsSpan().CommonPrefixLength(actual);
        var differing = expected.Zip(actual).Count(p => p.First != p.Second);
        return index >= expected.Length
            ? "equal"
            : $"first difference at sample {index} of {expected.Length} ({expected[index]} against {actual[index]}), {differing} samples differ";
    }
}
