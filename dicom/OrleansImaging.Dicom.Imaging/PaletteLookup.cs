using System.Buffers.Binary;

namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// The Palette Color Lookup Tables of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5–6), scaled to 8 bits: the red, green
/// and blue entries and the pixel value the first entry maps. Values below it take the first entry, values past the
/// last entry the last (C.7.6.3.1.5). Segmented palettes (0028,1221–1223) are not read.
/// </summary>
/// <param name="FirstMappedValue">The pixel value of the first entry (the descriptor's second value).</param>
/// <param name="Red">8-bit red entries.</param>
/// <param name="Green">8-bit green entries.</param>
/// <param name="Blue">8-bit blue entries.</param>
public sealed record PaletteLookup(int FirstMappedValue, byte[] Red, byte[] Green, byte[] Blue)
{
    /// <summary>Writes the colour of pixel value <paramref name="value"/> to <paramref name="rgb"/>.</summary>
    public void Map(long value, Span<byte> rgb)
    {
        var index = (int)Math.Clamp(value - FirstMappedValue, 0, Red.Length - 1);
        rgb[0] = Red[index];
        rgb[1] = Green[index];
        rgb[2] = Blue[index];
    }

    /// <summary>Reads the three tables; null when any is absent, malformed, or the three disagree in length or start.</summary>
    public static PaletteLookup? FromDataset(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var red = Table(dataset, DicomTag.RedPaletteColorLookupTableDescriptor, DicomTag.RedPaletteColorLookupTableData);
        var green = Table(dataset, DicomTag.GreenPaletteColorLookupTableDescriptor, DicomTag.GreenPaletteColorLookupTableData);
        var blue = Table(dataset, DicomTag.BluePaletteColorLookupTableDescriptor, DicomTag.BluePaletteColorLookupTableData);
        if (red is null || green is null || blue is null || red.Value.First != green.Value.First || red.Value.First != blue.Value.First
            || red.Value.Entries.Length != green.Value.Entries.Length || red.Value.Entries.Length != blue.Value.Entries.Length)
        {
            return null;
        }
        return new PaletteLookup(red.Value.First, red.Value.Entries, green.Value.Entries, blue.Value.Entries);
    }

    private static (int First, byte[] Entries)? Table(DicomDataset dataset, DicomTag descriptorTag, DicomTag dataTag)
    {
        var descriptor = dataset.GetValues<int>(descriptorTag);
        if (descriptor.Length != 3 || !dataset.TryGet<byte[]>(dataTag, out var data))
            return null;
        // A count of 0 means 2^16 entries (the count is US, and 65,536 does not fit).
        var count = descriptor[0] == 0 ? 65536 : descriptor[0] & 0xFFFF;
        var bits = descriptor[2];
        var entries = new byte[count];
        if (bits == 16 && data.Length >= count * 2)
        {
            var words = new ushort[count];
            for (var i = 0; i < count; i++)
                words[i] = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(i * 2, 2));
            // Some writers declare 16 bits but store 8-bit values; scaling those down would blacken the image.
            var shift = words.Max() <= 255 ? 0 : 8;
            for (var i = 0; i < count; i++)
                entries[i] = (byte)(words[i] >> shift);
        }
        else if (bits == 8 && data.Length >= count)
        {
            // 8-bit entries may be packed in the OW value one per byte, or one per 16-bit word (low byte).
            var stride = data.Length >= count * 2 ? 2 : 1;
            for (var i = 0; i < count; i++)
                entries[i] = data[i * stride];
        }
        else
        {
            return null;
        }
        return (descriptor[1], entries);
    }
}
