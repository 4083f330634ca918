using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Archive;

/// <summary>Which stored instances archive compression takes on.</summary>
public static class ArchiveCompressionPolicy
{
    private static readonly HashSet<string> Uncompressed = new(StringComparer.Ordinal)
    {
        "1.2.840.10008.1.2",   // implicit VR little endian
        "1.2.840.10008.1.2.1", // explicit VR little endian
        "1.2.840.10008.1.2.2", // explicit VR big endian (retired, still sent by old devices)
    };

    /// <summary>
    /// True for an image stored uncompressed whose pixels both lossless syntaxes hold: integer Pixel Data (7FE0,0010) of
    /// 8 or 16 bits allocated, one or three samples. Already compressed objects (lossless or lossy: a lossy one is never
    /// recompressed as if it were an original), deflated ones, and objects without pixels (SR, PDF, KO) are left alone.
    /// </summary>
    /// <param name="transferSyntaxUid">The stored transfer syntax.</param>
    /// <param name="header">The instance's header (from its metadata), or null when it could not be read.</param>
    public static bool IsCandidate(string transferSyntaxUid, DicomDataset? header)
    {
        if (header is null || !Uncompressed.Contains(transferSyntaxUid) || !header.Contains(DicomTag.PixelData))
            return false;
        var bitsAllocated = header.GetOrDefault(DicomTag.BitsAllocated, 0);
        var samples = header.GetOrDefault(DicomTag.SamplesPerPixel, 0);
        var rows = header.GetOrDefault(DicomTag.Rows, 0);
        var columns = header.GetOrDefault(DicomTag.Columns, 0);
        return bitsAllocated is 8 or 16 && samples is 1 or 3 && rows > 0 && columns > 0;
    }
}
