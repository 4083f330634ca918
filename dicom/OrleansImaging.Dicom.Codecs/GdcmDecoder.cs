using System.Globalization;

namespace OrleansImaging.Dicom.Codecs;

/// <summary>The GDCM decoding calls behind <see cref="DicomCodecs"/>, kept apart so that GDCM types stay in the Gdcm* files.</summary>
internal static class GdcmDecoder
{
    /// <summary>
    /// Decodes with gdcm.ImageReader. <paramref name="declaredBytes"/> is what our reader found in the
    /// header; GDCM's own idea of the buffer is checked against the limit again, because it reads the
    /// header itself and may disagree (a damaged header, a value it corrects). <paramref name="syntax"/>
    /// is the stored transfer syntax, as our reader found it.
    /// </summary>
    public static DicomDecodedImage Decode(string path, DicomTransferSyntax syntax, long declaredBytes, long maxDecodedBytes)
    {
        GdcmNativeLibrary.EnsureRegistered();
        try
        {
            using var reader = new gdcm.ImageReader();
            reader.SetFileName(path);
            if (!reader.Read())
                throw new DicomCodecException($"'{path}' cannot be decoded: GDCM cannot read it as an image.");
            using var image = reader.GetImage();
            var description = Describe(image, syntax);
            var length = (long)image.GetBufferLength();
            if (length > maxDecodedBytes)
                throw new DicomCodecException(string.Create(CultureInfo.InvariantCulture, $"'{path}' decodes to {length:N0} bytes according to GDCM, more than the limit of {maxDecodedBytes:N0}: refused before decoding."));
            if (length != description.FrameLength * description.NumberOfFrames)
                throw new DicomCodecException(string.Create(CultureInfo.InvariantCulture, $"'{path}' cannot be decoded: GDCM's buffer of {length:N0} bytes does not hold {description.NumberOfFrames} frames of {description.FrameLength:N0} bytes (the header declares {declaredBytes:N0})."));
            var buffer = new byte[length];
            if (!image.GetBuffer(buffer))
                throw new DicomCodecException($"'{path}' cannot be decoded: the {syntax.Name} pixel data is corrupt or not supported.");
            return new DicomDecodedImage(description, Split(buffer, description));
        }
        catch (Exception ex) when (ex is not DicomCodecException and not OutOfMemoryException)
        {
            // SWIG surfaces C++ exceptions as ApplicationException and friends; callers see one type.
            throw new DicomCodecException($"'{path}' cannot be decoded: GDCM failed: {ex.Message}", ex);
        }
    }

    private static DicomImageDescription Describe(gdcm.Image image, DicomTransferSyntax syntax)
    {
        using var pixelFormat = image.GetPixelFormat();
        using var photometric = image.GetPhotometricInterpretation();
        var frames = image.GetNumberOfDimensions() > 2 ? (int)image.GetDimension(2) : 1;
        return new DicomImageDescription(
            Rows: (int)image.GetDimension(1),
            Columns: (int)image.GetDimension(0),
            SamplesPerPixel: pixelFormat.GetSamplesPerPixel(),
            BitsAllocated: pixelFormat.GetBitsAllocated(),
            BitsStored: pixelFormat.GetBitsStored(),
            PixelRepresentation: pixelFormat.GetPixelRepresentation(),
            PlanarConfiguration: (int)image.GetPlanarConfiguration(),
            PhotometricInterpretation: AfterDecoding((photometric.GetString() ?? string.Empty).Trim(), syntax),
            NumberOfFrames: Math.Max(frames, 1));
    }

    /// <summary>
    /// GDCM reports the stored Photometric Interpretation, but decoding changes it (PS3.3 C.7.6.3.1.2):
    /// OpenJPEG applies JPEG 2000's inverse component transform, so YBR_RCT and YBR_ICT come out as RGB;
    /// libjpeg upsamples chroma, so JPEG's YBR_FULL_422 comes out as YBR_FULL (GDCM, unlike dcmdjpeg,
    /// does not convert YCbCr to RGB). Both as gdcmconv --raw and dcmdjpeg +cn describe their output.
    /// </summary>
    internal static string AfterDecoding(string stored, DicomTransferSyntax syntax) => stored switch
    {
        "YBR_RCT" or "YBR_ICT" => "RGB",
        "YBR_FULL_422" when IsJpeg(syntax) => "YBR_FULL",
        _ => stored,
    };

    private static bool IsJpeg(DicomTransferSyntax syntax) =>
        syntax.Equals(DicomTransferSyntax.JpegBaseline) || syntax.Equals(DicomTransferSyntax.JpegExtended)
        || syntax.Equals(DicomTransferSyntax.JpegLossless) || syntax.Equals(DicomTransferSyntax.JpegLosslessSV1);

    private static byte[][] Split(byte[] buffer, DicomImageDescription description)
    {
        if (description.NumberOfFrames == 1)
            return [buffer];
        var frameLength = (int)description.FrameLength;
        var frames = new byte[description.NumberOfFrames][];
        for (var i = 0; i < frames.Length; i++)
            frames[i] = buffer.AsSpan(i * frameLength, frameLength).ToArray();
        return frames;
    }
}
