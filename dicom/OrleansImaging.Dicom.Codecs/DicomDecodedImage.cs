namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// What a decoded image's pixels are, as an Explicit VR Little Endian object holding them would
/// describe them: the attributes of the Image Pixel module after decoding.
/// </summary>
/// <param name="Rows">Rows (0028,0010).</param>
/// <param name="Columns">Columns (0028,0011).</param>
/// <param name="SamplesPerPixel">Samples per Pixel (0028,0002).</param>
/// <param name="BitsAllocated">Bits Allocated (0028,0100): 8 or 16 (or 32), the size of one sample in the frame bytes.</param>
/// <param name="BitsStored">Bits Stored (0028,0101).</param>
/// <param name="PixelRepresentation">Pixel Representation (0028,0103): 0 unsigned, 1 two's complement.</param>
/// <param name="PlanarConfiguration">Planar Configuration (0028,0006) of the frame bytes: 0 colour-by-pixel, 1 colour-by-plane.</param>
/// <param name="PhotometricInterpretation">
/// Photometric Interpretation (0028,0004) after decoding; it can differ from the stored object's
/// (a JPEG baseline YBR_FULL_422 image decodes to RGB).
/// </param>
/// <param name="NumberOfFrames">Number of Frames (0028,0008); 1 for single-frame objects.</param>
public sealed record DicomImageDescription(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    int BitsAllocated,
    int BitsStored,
    int PixelRepresentation,
    int PlanarConfiguration,
    string PhotometricInterpretation,
    int NumberOfFrames)
{
    /// <summary>The bytes of one decoded frame: rows × columns × samples per pixel × bytes per sample.</summary>
    public long FrameLength => (long)Rows * Columns * SamplesPerPixel * BytesPerSample;

    /// <summary>The bytes one sample takes in the frame bytes (Bits Allocated rounded up to whole bytes).</summary>
    public int BytesPerSample => (BitsAllocated + 7) / 8;
}

/// <summary>A decoded image: its description and each frame's native pixel bytes, little endian.</summary>
/// <param name="Description">What the frame bytes are.</param>
/// <param name="Frames">One array per frame, each <see cref="DicomImageDescription.FrameLength"/> bytes.</param>
public sealed record DicomDecodedImage(DicomImageDescription Description, IReadOnlyList<byte[]> Frames);
