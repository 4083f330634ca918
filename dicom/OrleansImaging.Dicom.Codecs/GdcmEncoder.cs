namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// Compressed Pixel Data as GDCM encoded it: the fragments (one per frame for every syntax GDCM writes)
/// and how GDCM describes the encoded image.
/// </summary>
/// <param name="Fragments">The fragments in order, each of even length.</param>
/// <param name="PhotometricInterpretation">Photometric Interpretation (0028,0004) of the encoded image, as GDCM states it.</param>
/// <param name="PlanarConfiguration">Planar Configuration (0028,0006) of the encoded image.</param>
/// <param name="IsLossy">Whether GDCM says the encoding lost information.</param>
internal sealed record GdcmEncodedPixelData(IReadOnlyList<byte[]> Fragments, string PhotometricInterpretation, int PlanarConfiguration, bool IsLossy)
{
    /// <summary>The compressed bytes, fragments summed.</summary>
    public long Length => Fragments.Sum(f => (long)f.Length);
}

/// <summary>
/// The GDCM calls behind <see cref="DicomCodecs.TranscodeAsync"/>: gdcm.ImageChangeTransferSyntax encodes the
/// pixels, and only the pixels are taken from GDCM. The file itself is written by our own writer, because
/// gdcm.ImageWriter rewrites attributes it considers its own (it reformats Image Position and Pixel Spacing
/// and adds Spacing Between Slices), and a transcode must not change anything but the pixel encoding.
/// </summary>
internal static class GdcmEncoder
{
    /// <summary>Encodes the pixel data of <paramref name="path"/> in <paramref name="target"/> (an encapsulated syntax).</summary>
    public static GdcmEncodedPixelData Encode(string path, DicomTransferSyntax target, int jpegQuality)
    {
        GdcmNativeLibrary.EnsureRegistered();
        try
        {
            using var reader = new gdcm.ImageReader();
            reader.SetFileName(path);
            if (!reader.Read())
                throw new DicomCodecException($"'{path}' cannot be transcoded: GDCM cannot read it as an image.");
            using var change = new gdcm.ImageChangeTransferSyntax();
            using var syntax = new gdcm.TransferSyntax(TypeOf(target));
            change.SetTransferSyntax(syntax);
            // gdcm's default JPEG codec encodes lossless; baseline needs a codec told otherwise. Kept alive until Change returns.
            using var jpeg = target.Equals(DicomTransferSyntax.JpegBaseline) ? new gdcm.JPEGCodec() : null;
            if (jpeg is not null)
            {
                jpeg.SetLossless(false);
                jpeg.SetQuality(jpegQuality);
                change.SetUserCodec(jpeg);
            }
            using var input = reader.GetImage();
            change.SetInput(input);
            if (!change.Change())
                throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: GDCM cannot encode this image in it (or cannot decode its pixel data).");
            using var output = change.GetOutput();
            using var photometric = output.GetPhotometricInterpretation();
            using var element = output.GetDataElement();
            using var sequence = element.GetSequenceOfFragments()
                ?? throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: GDCM returned native pixel data.");
            var count = sequence.GetNumberOfFragments();
            var fragments = new byte[count][];
            for (uint i = 0; i < count; i++)
            {
                using var fragment = sequence.GetFragment(i);
                using var value = fragment.GetByteValue();
                var length = value is null ? 0u : (uint)value.GetLength();
                var bytes = new byte[length + (length & 1)];
                if (length > 0 && !value!.GetBuffer(bytes, length))
                    throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: GDCM's fragment {i} cannot be read.");
                fragments[i] = bytes;
            }
            if (fragments.Length == 0)
                throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: GDCM returned no fragments.");
            return new GdcmEncodedPixelData(fragments, (photometric.GetString() ?? string.Empty).Trim(), (int)output.GetPlanarConfiguration(), output.IsLossy());
        }
        catch (Exception ex) when (ex is not DicomCodecException and not OutOfMemoryException)
        {
            throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: GDCM failed: {ex.Message}", ex);
        }
    }

    private static gdcm.TransferSyntax.TSType TypeOf(DicomTransferSyntax target) => target.Uid switch
    {
        "1.2.840.10008.1.2.4.50" => gdcm.TransferSyntax.TSType.JPEGBaselineProcess1,
        "1.2.840.10008.1.2.4.70" => gdcm.TransferSyntax.TSType.JPEGLosslessProcess14_1,
        "1.2.840.10008.1.2.4.80" => gdcm.TransferSyntax.TSType.JPEGLSLossless,
        "1.2.840.10008.1.2.4.90" => gdcm.TransferSyntax.TSType.JPEG2000Lossless,
        "1.2.840.10008.1.2.5" => gdcm.TransferSyntax.TSType.RLELossless,
        _ => throw new DicomCodecException($"GDCM is not asked to encode {target.Name}."),
    };
}
