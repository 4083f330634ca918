namespace OrleansImaging.Dicom;

/// <summary>
/// A transfer syntax: how a data set is encoded (explicit or implicit VR, byte order, deflate,
/// encapsulated pixel data). Instances for the standard's transfer syntaxes are shared; an
/// unrecognized UID yields an instance that is treated as explicit VR little endian with
/// encapsulated pixel data, which is what every transfer syntax registered since 1999 is.
/// </summary>
public sealed class DicomTransferSyntax : IEquatable<DicomTransferSyntax>
{
    private DicomTransferSyntax(string uid, string name, bool isExplicitVR, bool isBigEndian, bool isDeflated, bool isEncapsulated, bool isLossy, bool isKnown = true)
    {
        Uid = uid;
        Name = name;
        IsExplicitVR = isExplicitVR;
        IsBigEndian = isBigEndian;
        IsDeflated = isDeflated;
        IsEncapsulated = isEncapsulated;
        IsLossy = isLossy;
        IsKnown = isKnown;
    }

    /// <summary>The transfer syntax UID.</summary>
    public string Uid { get; }

    /// <summary>The registered name, or the UID itself when unknown.</summary>
    public string Name { get; }

    /// <summary>True when every element carries its VR.</summary>
    public bool IsExplicitVR { get; }

    /// <summary>True for explicit VR big endian (retired, still met in old archives).</summary>
    public bool IsBigEndian { get; }

    /// <summary>True when the data set after the File Meta Information is deflated (RFC 1951).</summary>
    public bool IsDeflated { get; }

    /// <summary>True when pixel data is encapsulated in fragments (compressed transfer syntaxes).</summary>
    public bool IsEncapsulated { get; }

    /// <summary>True for lossy compression.</summary>
    public bool IsLossy { get; }

    /// <summary>False when the UID is not one this library knows.</summary>
    public bool IsKnown { get; }

    /// <summary>1.2.840.10008.1.2: Implicit VR Little Endian, the DICOM default.</summary>
    public static DicomTransferSyntax ImplicitVRLittleEndian { get; } = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false, false);

    /// <summary>1.2.840.10008.1.2.1: Explicit VR Little Endian.</summary>
    public static DicomTransferSyntax ExplicitVRLittleEndian { get; } = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false, false);

    /// <summary>1.2.840.10008.1.2.1.99: Deflated Explicit VR Little Endian.</summary>
    public static DicomTransferSyntax DeflatedExplicitVRLittleEndian { get; } = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false, false);

    /// <summary>1.2.840.10008.1.2.2: Explicit VR Big Endian (retired).</summary>
    public static DicomTransferSyntax ExplicitVRBigEndian { get; } = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false, false);

    /// <summary>1.2.840.10008.1.2.4.50: JPEG Baseline (Process 1).</summary>
    public static DicomTransferSyntax JpegBaseline { get; } = Encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", lossy: true);

    /// <summary>1.2.840.10008.1.2.4.51: JPEG Extended (Process 2 and 4).</summary>
    public static DicomTransferSyntax JpegExtended { get; } = Encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", lossy: true);

    /// <summary>1.2.840.10008.1.2.4.57: JPEG Lossless, Non-Hierarchical (Process 14).</summary>
    public static DicomTransferSyntax JpegLossless { get; } = Encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", lossy: false);

    /// <summary>1.2.840.10008.1.2.4.70: JPEG Lossless, First-Order Prediction (Process 14 SV1).</summary>
    public static DicomTransferSyntax JpegLosslessSV1 { get; } = Encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])", lossy: false);

    /// <summary>1.2.840.10008.1.2.4.80: JPEG-LS Lossless.</summary>
    public static DicomTransferSyntax JpegLSLossless { get; } = Encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", lossy: false);

    /// <summary>1.2.840.10008.1.2.4.81: JPEG-LS Lossy (Near-Lossless).</summary>
    public static DicomTransferSyntax JpegLSNearLossless { get; } = Encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", lossy: true);

    /// <summary>1.2.840.10008.1.2.4.90: JPEG 2000 (Lossless Only).</summary>
    public static DicomTransferSyntax Jpeg2000Lossless { get; } = Encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", lossy: false);

    /// <summary>1.2.840.10008.1.2.4.91: JPEG 2000.</summary>
    public static DicomTransferSyntax Jpeg2000 { get; } = Encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", lossy: true);

    /// <summary>1.2.840.10008.1.2.5: RLE Lossless.</summary>
    public static DicomTransferSyntax RleLossless { get; } = Encapsulated("1.2.840.10008.1.2.5", "RLE Lossless", lossy: false);

    /// <summary>1.2.840.10008.1.2.4.100: MPEG2 Main Profile / Main Level.</summary>
    public static DicomTransferSyntax Mpeg2 { get; } = Encapsulated("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", lossy: true);

    /// <summary>1.2.840.10008.1.2.4.102: MPEG-4 AVC/H.264 High Profile / Level 4.1.</summary>
    public static DicomTransferSyntax Mpeg4 { get; } = Encapsulated("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", lossy: true);

    /// <summary>1.2.840.10008.1.2.4.201: High-Throughput JPEG 2000 (Lossless Only).</summary>
    public static DicomTransferSyntax HtJpeg2000Lossless { get; } = Encapsulated("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", lossy: false);

    /// <summary>1.2.840.10008.1.2.4.203: High-Throughput JPEG 2000.</summary>
    public static DicomTransferSyntax HtJpeg2000 { get; } = Encapsulated("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", lossy: true);

    private static readonly DicomTransferSyntax[] Known =
    [
        ImplicitVRLittleEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian,
        JpegBaseline, JpegExtended, JpegLossless, JpegLosslessSV1, JpegLSLossless, JpegLSNearLossless,
        Jpeg2000Lossless, Jpeg2000, RleLossless, Mpeg2, Mpeg4, HtJpeg2000Lossless, HtJpeg2000,
    ];

    /// <summary>The transfer syntaxes this library knows by name.</summary>
    public static IReadOnlyList<DicomTransferSyntax> All => Known;

    /// <summary>
    /// The transfer syntax for a UID (trailing NUL and space padding ignored). Unknown UIDs give an
    /// explicit VR little endian, encapsulated instance with <see cref="IsKnown"/> false.
    /// </summary>
    public static DicomTransferSyntax Lookup(string uid)
    {
        var trimmed = uid.TrimEnd('\0', ' ');
        foreach (var ts in Known)
        {
            if (ts.Uid == trimmed)
                return ts;
        }
        // The JPEG family (.4.xx) and later registrations are all explicit VR little endian with
        // encapsulated pixel data; lossiness is unknown, so say lossy to be safe.
        return new DicomTransferSyntax(trimmed, trimmed, true, false, false, true, true, isKnown: false);
    }

    /// <inheritdoc />
    public bool Equals(DicomTransferSyntax? other) => other is not null && other.Uid == Uid;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DicomTransferSyntax other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Uid.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static DicomTransferSyntax Encapsulated(string uid, string name, bool lossy) =>
        new(uid, name, true, false, false, true, lossy);
}
