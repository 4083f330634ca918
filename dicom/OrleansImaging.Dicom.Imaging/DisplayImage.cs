namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// An 8-bit display image, ready to encode: greyscale (one byte per pixel) or RGB (three, colour-by-pixel), rows top
/// to bottom without padding.
/// </summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Channels">1 for greyscale, 3 for RGB.</param>
/// <param name="Pixels">Width × Height × Channels bytes.</param>
public sealed record DisplayImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>The byte of channel <paramref name="channel"/> of the pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y, int channel = 0] => Pixels[((y * Width) + x) * Channels + channel];
}
