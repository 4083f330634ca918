namespace OrleansImaging.Dicom.Codecs;

/// <summary>What <see cref="IDicomCodec.TranscodeAsync"/> wrote.</summary>
/// <param name="SourceTransferSyntax">The source file's transfer syntax.</param>
/// <param name="TargetTransferSyntax">The transfer syntax the target file is written in.</param>
/// <param name="SourceLength">The source file's length in bytes.</param>
/// <param name="TargetLength">The target file's length in bytes.</param>
/// <param name="IsLossy">
/// True when the target's pixels are not the original acquisition's: either this transcode was lossy
/// (JPEG baseline), or the source already was (a lossy transfer syntax, or Lossy Image Compression
/// (0028,2110) "01"). The target then carries (0028,2110) "01" whatever its transfer syntax.
/// </param>
/// <param name="PhotometricInterpretation">Photometric Interpretation (0028,0004) as written in the target.</param>
public sealed record DicomTranscodeResult(
    DicomTransferSyntax SourceTransferSyntax,
    DicomTransferSyntax TargetTransferSyntax,
    long SourceLength,
    long TargetLength,
    bool IsLossy,
    string PhotometricInterpretation);
