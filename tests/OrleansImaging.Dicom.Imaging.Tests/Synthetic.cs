using System.Buffers.Binary;
using OrleansImaging.Dicom.Codecs;

namespace OrleansImaging.Dicom.Imaging.Tests;

/// <summary>Small synthetic frames: descriptions and little-endian bytes built by hand.</summary>
internal static class Synthetic
{
    public static DicomImageDescription Grey(int columns, int rows, int bitsAllocated = 16, int bitsStored = 16, int pixelRepresentation = 0, string photometric = "MONOCHROME2") =>
        new(rows, columns, 1, bitsAllocated, bitsStored, pixelRepresentation, 0, photometric, 1);

    public static DicomImageDescription Colour(int columns, int rows, string photometric = "RGB", int planar = 0, int bits = 8) =>
        new(rows, columns, 3, bits, bits, 0, planar, photometric, 1);

    public static byte[] Words(params int[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), unchecked((ushort)values[i]));
        return bytes;
    }
}
