namespace OrleansImaging.Dicom.Codecs;

/// <summary>Limits for <see cref="DicomCodecs"/>.</summary>
public sealed class DicomCodecOptions
{
    /// <summary>The options with their defaults.</summary>
    public static DicomCodecOptions Default { get; } = new();

    /// <summary>
    /// The most decoded pixel bytes (rows × columns × samples per pixel × bytes per sample × frames)
    /// one decode may produce. The header says how much a decode will allocate before any of it is
    /// allocated, so a small file declaring a huge image is refused instead of exhausting memory.
    /// </summary>
    /// <value>1 GiB: a 2,000-frame 512 × 512 16-bit CT series in one object fits; more is refused.</value>
    public long MaxDecodedBytes { get; init; } = 1L << 30;

    /// <summary>The IJG quality (1–100) of JPEG baseline encoding, which is for display only.</summary>
    /// <value>90: no visible artefacts on CT or photographs at roughly a tenth of the size.</value>
    public int JpegBaselineQuality { get; init; } = 90;
}
