namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// Decodes and transcodes the pixel data of stored DICOM objects. <see cref="DicomCodecs"/> implements it over GDCM.
/// Both take file paths, not streams or memory, because GDCM reads only from files: callers holding
/// bytes write them to a temporary file first.
/// </summary>
public interface IDicomCodec
{
    /// <summary>
    /// Decodes every frame of the Part 10 file at <paramref name="path"/> (any transfer syntax GDCM
    /// reads: native, RLE, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000) to native pixel bytes,
    /// little endian, as Explicit VR Little Endian would hold them.
    /// </summary>
    /// <exception cref="DicomCodecException">
    /// The file is not a readable image, declares more decoded bytes than the configured limit (refused
    /// before anything is allocated for pixels), or a frame cannot be decoded.
    /// </exception>
    Task<DicomDecodedImage> DecodeFramesAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the Part 10 file at <paramref name="sourcePath"/> to <paramref name="targetPath"/> in the
    /// <paramref name="target"/> transfer syntax: Explicit VR Little Endian (decompressed), JPEG-LS
    /// lossless, JPEG 2000 lossless, RLE lossless, JPEG lossless SV1, or JPEG baseline (lossy, 8-bit
    /// images only). Only Pixel Data and the attributes that describe its encoding change (Photometric
    /// Interpretation and Planar Configuration where the encoding changes them, the offset tables, the
    /// lossy compression attributes, the File Meta Information); every other attribute is written as read.
    /// A lossy source may be written in a lossless syntax (a viewer asking for explicit VR little endian
    /// must get its pixels), but the target keeps Lossy Image Compression (0028,2110) "01" and the
    /// earlier ratio and method, so it can never pass for an original.
    /// </summary>
    /// <exception cref="DicomCodecException">
    /// The target syntax is not one this facade encodes, the image cannot be held in it (JPEG baseline
    /// of a 16-bit image), the source is refused as for <see cref="DecodeFramesAsync"/>, or GDCM fails.
    /// Nothing is left at <paramref name="targetPath"/> then.
    /// </exception>
    Task<DicomTranscodeResult> TranscodeAsync(string sourcePath, string targetPath, DicomTransferSyntax target, CancellationToken cancellationToken = default);
}
