namespace OrleansImaging.Dicom.Codecs;

/// <summary>Decodes the pixel data of stored DICOM objects. <see cref="DicomCodecs"/> implements it over GDCM.</summary>
public interface IDicomCodec
{
    /// <summary>
    /// Decodes every frame of the Part 10 file at <paramref name="path"/> (any transfer syntax GDCM
    /// reads: native, RLE, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000) to native pixel bytes,
    /// little endian, as Explicit VR Little Endian would hold them.
    /// It takes a file path, not a stream or memory, because GDCM reads only from files: callers holding
    /// bytes write them to a temporary file first.
    /// </summary>
    /// <exception cref="DicomCodecException">
    /// The file is not a readable image, declares more decoded bytes than the configured limit (refused
    /// before anything is allocated for pixels), or a frame cannot be decoded.
    /// </exception>
    Task<DicomDecodedImage> DecodeFramesAsync(string path, CancellationToken cancellationToken = default);
}
