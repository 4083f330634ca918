namespace OrleansImaging.Dicom.Network;

/// <summary>
/// The abstract and transfer syntaxes an acceptor offers unless told otherwise: Verification, the storage SOP
/// classes of CT, MR, CR, DX, MG, US, XA, NM, PT, SC, SR, KO and PDF, and the uncompressed and common
/// compressed transfer syntaxes (no transcoding: a data set is stored in the syntax it arrives in).
/// </summary>
public static class DicomStorageSopClasses
{
    /// <summary>1.2.840.10008.1.1 Verification SOP Class (C-ECHO).</summary>
    public const string Verification = "1.2.840.10008.1.1";

    /// <summary>The storage SOP classes accepted by default.</summary>
    public static IReadOnlyList<string> DefaultStorage { get; } =
    [
        "1.2.840.10008.5.1.4.1.1.1",       // Computed Radiography Image Storage
        "1.2.840.10008.5.1.4.1.1.1.1",     // Digital X-Ray Image Storage - For Presentation
        "1.2.840.10008.5.1.4.1.1.1.1.1",   // Digital X-Ray Image Storage - For Processing
        "1.2.840.10008.5.1.4.1.1.1.2",     // Digital Mammography X-Ray Image Storage - For Presentation
        "1.2.840.10008.5.1.4.1.1.1.2.1",   // Digital Mammography X-Ray Image Storage - For Processing
        "1.2.840.10008.5.1.4.1.1.2",       // CT Image Storage
        "1.2.840.10008.5.1.4.1.1.2.1",     // Enhanced CT Image Storage
        "1.2.840.10008.5.1.4.1.1.3.1",     // Ultrasound Multi-frame Image Storage
        "1.2.840.10008.5.1.4.1.1.4",       // MR Image Storage
        "1.2.840.10008.5.1.4.1.1.4.1",     // Enhanced MR Image Storage
        "1.2.840.10008.5.1.4.1.1.6.1",     // Ultrasound Image Storage
        "1.2.840.10008.5.1.4.1.1.7",       // Secondary Capture Image Storage
        "1.2.840.10008.5.1.4.1.1.7.1",     // Multi-frame Single Bit Secondary Capture Image Storage
        "1.2.840.10008.5.1.4.1.1.7.2",     // Multi-frame Grayscale Byte Secondary Capture Image Storage
        "1.2.840.10008.5.1.4.1.1.7.3",     // Multi-frame Grayscale Word Secondary Capture Image Storage
        "1.2.840.10008.5.1.4.1.1.7.4",     // Multi-frame True Color Secondary Capture Image Storage
        "1.2.840.10008.5.1.4.1.1.12.1",    // X-Ray Angiographic Image Storage
        "1.2.840.10008.5.1.4.1.1.12.1.1",  // Enhanced XA Image Storage
        "1.2.840.10008.5.1.4.1.1.20",      // Nuclear Medicine Image Storage
        "1.2.840.10008.5.1.4.1.1.128",     // Positron Emission Tomography Image Storage
        "1.2.840.10008.5.1.4.1.1.130",     // Enhanced PET Image Storage
        "1.2.840.10008.5.1.4.1.1.88.11",   // Basic Text SR Storage
        "1.2.840.10008.5.1.4.1.1.88.22",   // Enhanced SR Storage
        "1.2.840.10008.5.1.4.1.1.88.33",   // Comprehensive SR Storage
        "1.2.840.10008.5.1.4.1.1.88.59",   // Key Object Selection Document Storage
        "1.2.840.10008.5.1.4.1.1.104.1",   // Encapsulated PDF Storage
    ];

    /// <summary>
    /// The transfer syntaxes accepted by default, in order of preference when a proposal offers several: explicit
    /// VR little endian, implicit VR little endian, explicit VR big endian, then the compressed ones (JPEG
    /// baseline, extended, lossless and lossless SV1, JPEG-LS lossless and near-lossless, JPEG 2000 lossless and
    /// lossy, RLE). Deflate is not in the default set: the SOP Instance UID check would have to inflate.
    /// </summary>
    public static IReadOnlyList<string> DefaultTransferSyntaxes { get; } =
    [
        DicomTransferSyntax.ExplicitVRLittleEndian.Uid,
        DicomTransferSyntax.ImplicitVRLittleEndian.Uid,
        DicomTransferSyntax.ExplicitVRBigEndian.Uid,
        DicomTransferSyntax.JpegBaseline.Uid,
        DicomTransferSyntax.JpegExtended.Uid,
        DicomTransferSyntax.JpegLossless.Uid,
        DicomTransferSyntax.JpegLosslessSV1.Uid,
        DicomTransferSyntax.JpegLSLossless.Uid,
        DicomTransferSyntax.JpegLSNearLossless.Uid,
        DicomTransferSyntax.Jpeg2000Lossless.Uid,
        DicomTransferSyntax.Jpeg2000.Uid,
        DicomTransferSyntax.RleLossless.Uid,
    ];
}
