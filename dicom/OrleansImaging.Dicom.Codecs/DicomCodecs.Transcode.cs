using System.Globalization;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Codecs;

public sealed partial class DicomCodecs
{
    /// <summary>Values at least this long stay in the source file until the writer streams them from there.</summary>
    private const long BulkDataThreshold = 64 * 1024;

    /// <summary>The transfer syntaxes <see cref="TranscodeAsync"/> writes.</summary>
    public static IReadOnlyList<DicomTransferSyntax> TranscodeTargets { get; } =
    [
        DicomTransferSyntax.ExplicitVRLittleEndian,
        DicomTransferSyntax.JpegLSLossless,
        DicomTransferSyntax.Jpeg2000Lossless,
        DicomTransferSyntax.RleLossless,
        DicomTransferSyntax.JpegLosslessSV1,
        DicomTransferSyntax.JpegBaseline,
    ];

    /// <inheritdoc />
    public async Task<DicomTranscodeResult> TranscodeAsync(string sourcePath, string targetPath, DicomTransferSyntax target, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        ArgumentNullException.ThrowIfNull(target);
        if (string.Equals(Path.GetFullPath(sourcePath), Path.GetFullPath(targetPath), StringComparison.Ordinal))
            throw new ArgumentException("The target must be another file than the source: the source is read while the target is written.", nameof(targetPath));
        if (!TranscodeTargets.Contains(target))
        {
            throw new DicomCodecException(
                $"'{sourcePath}' cannot be transcoded to {target.Name}: the codecs write only {string.Join(", ", TranscodeTargets.Select(t => t.Name))}.");
        }
        var (header, declared, declaredBytes) = await ReadDecodableAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        RefuseUnencodable(sourcePath, header.TransferSyntax, target, declared);
        // Native YBR_FULL_422 holds two bytes a pixel (PS3.3 C.7.6.3.1.2), which GDCM reads as three: wrong pixels.
        if (!header.TransferSyntax.IsEncapsulated && declared.PhotometricInterpretation == "YBR_FULL_422")
            throw new DicomCodecException($"'{sourcePath}' cannot be transcoded: native YBR_FULL_422 (chroma subsampled without compression) is not transcoded.");
        cancellationToken.ThrowIfCancellationRequested();

        var source = await ReadWholeAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        var dataset = source.Dataset;
        var sourceLossy = IsLossy(source);
        var sourcePixelLength = dataset.TryGetAttribute(DicomTag.PixelData, out var storedPixels) ? LengthOf(storedPixels) : 0;
        cancellationToken.ThrowIfCancellationRequested();

        string photometric;
        int planarConfiguration;
        long encodedLength;
        if (target.IsEncapsulated)
        {
            var encoded = await EncodeAsync(sourcePath, targetPath, source, declaredBytes, target, cancellationToken).ConfigureAwait(false);
            dataset.AddOrUpdate(Encapsulate(encoded.Fragments, declared.NumberOfFrames));
            photometric = EncodedPhotometric(encoded.PhotometricInterpretation, source.TransferSyntax, target);
            planarConfiguration = encoded.PlanarConfiguration;
            encodedLength = encoded.Length;
        }
        else
        {
            var decoded = GdcmDecoder.Decode(sourcePath, source.TransferSyntax, declaredBytes, _options.MaxDecodedBytes);
            var description = decoded.Description;
            var pixels = new byte[description.FrameLength * description.NumberOfFrames];
            var offset = 0;
            foreach (var frame in decoded.Frames)
            {
                frame.CopyTo(pixels, offset);
                offset += frame.Length;
            }
            dataset.AddOrUpdate(new DicomElement(DicomTag.PixelData, description.BitsAllocated > 8 ? DicomVR.OW : DicomVR.OB, pixels));
            photometric = description.PhotometricInterpretation;
            planarConfiguration = description.PlanarConfiguration;
            encodedLength = pixels.Length;
        }
        cancellationToken.ThrowIfCancellationRequested();

        // The offset tables describe the old fragments; a fresh Basic Offset Table is in the new fragment sequence.
        dataset.Remove(DicomTag.ExtendedOffsetTable);
        dataset.Remove(new DicomTag(0x7FE0, 0x0002));
        if (photometric.Length > 0)
            dataset.AddOrUpdate(DicomTag.PhotometricInterpretation, photometric);
        if (declared.SamplesPerPixel > 1)
            dataset.AddOrUpdate(DicomTag.PlanarConfiguration, (ushort)planarConfiguration);
        var lossy = sourceLossy || target.IsLossy;
        if (lossy)
            FlagLossy(dataset, source, sourceLossy, declaredBytes, sourcePixelLength, target, encodedLength);

        var written = new DicomFile(source.FileMetaInformation, dataset, target);
        try
        {
            await written.SaveAsync(targetPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (DicomException ex) when (ex is not DicomCodecException)
        {
            throw new DicomCodecException($"'{sourcePath}' cannot be transcoded to {target.Name}: {ex.Message}", ex);
        }
        return new DicomTranscodeResult(
            source.TransferSyntax, target, new FileInfo(sourcePath).Length, new FileInfo(targetPath).Length, lossy, photometric);
    }

    /// <summary>
    /// Encodes with GDCM. Native Pixel Data longer than the image (pydicom's MR_small_padded) trips an assertion in
    /// GDCM's JPEG 2000 encoder that aborts the process, so such a source is first rewritten with exactly its
    /// pixels (decoded, as for Explicit VR Little Endian) beside the target, and that file is encoded.
    /// </summary>
    private async Task<GdcmEncodedPixelData> EncodeAsync(string sourcePath, string targetPath, DicomFile source, long declaredBytes, DicomTransferSyntax target, CancellationToken cancellationToken)
    {
        var exact = declaredBytes + (declaredBytes & 1);
        if (source.TransferSyntax.IsEncapsulated || !source.Dataset.TryGetAttribute(DicomTag.PixelData, out var pixels) || LengthOf(pixels) == exact)
            return GdcmEncoder.Encode(sourcePath, target, _options.JpegBaselineQuality);
        var native = targetPath + ".native.tmp";
        try
        {
            await TranscodeAsync(sourcePath, native, DicomTransferSyntax.ExplicitVRLittleEndian, cancellationToken).ConfigureAwait(false);
            return GdcmEncoder.Encode(native, target, _options.JpegBaselineQuality);
        }
        finally
        {
            File.Delete(native);
        }
    }

    /// <summary>
    /// The images a target syntax cannot hold, refused from the header before GDCM is asked. Some of these GDCM
    /// would refuse itself; others (found by transcoding the whole pydicom corpus to every target) fail an
    /// assertion or crash inside GDCM, which would take the process down with them.
    /// </summary>
    private static void RefuseUnencodable(string path, DicomTransferSyntax source, DicomTransferSyntax target, DicomImageDescription image)
    {
        // The facade decodes whole bytes per sample; 1-bit images (pydicom's liver_1frame) crash GDCM's JPEG lossless encoder.
        if (image.BitsAllocated % 8 != 0)
            throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: images of {image.BitsAllocated} bits allocated are not transcoded.");
        // CharLS and the JPEG lossless codec stop at 16 bits; GDCM's JPEG 2000 path is not trusted beyond them either.
        if (target.IsEncapsulated && !target.Equals(DicomTransferSyntax.RleLossless) && image.BitsAllocated > 16)
            throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: images of {image.BitsAllocated} bits allocated are encoded only in RLE or native.");
        // OpenJPEG's default six resolution levels need at least 32 pixels a side; below that GDCM's encoder crashes.
        if (target.Equals(DicomTransferSyntax.Jpeg2000Lossless) && Math.Min(image.Rows, image.Columns) < 32)
            throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: images smaller than 32 pixels a side are not encoded in JPEG 2000.");
        // GDCM's RLE encoder asserts that the (even-padded) frame divides into its segments: an odd frame length aborts it.
        if (target.Equals(DicomTransferSyntax.RleLossless) && image.FrameLength % 2 != 0)
            throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: frames of an odd number of bytes are not encoded in RLE.");
        if (target.Equals(DicomTransferSyntax.JpegBaseline))
        {
            // Baseline JPEG is 8-bit unsigned, one or three components; GDCM refuses the rest, but says so only on stderr.
            if (image.BitsAllocated != 8 || image.BitsStored > 8 || image.PixelRepresentation != 0 || image.SamplesPerPixel is not (1 or 3))
            {
                throw new DicomCodecException(string.Create(CultureInfo.InvariantCulture,
                    $"'{path}' cannot be transcoded to {target.Name}: it holds only 8-bit unsigned images of 1 or 3 samples, this image has {image.SamplesPerPixel} samples of {image.BitsStored} bits{(image.PixelRepresentation == 1 ? ", signed" : "")}."));
            }
            // GDCM's libjpeg converts RGB to YCbCr itself, so it is given only greyscale or RGB; a palette index is not an
            // intensity either (lossy compression of indexes gives other colours, not similar ones).
            var decoded = GdcmDecoder.AfterDecoding(image.PhotometricInterpretation, source);
            if (decoded is not ("MONOCHROME1" or "MONOCHROME2" or "RGB"))
                throw new DicomCodecException($"'{path}' cannot be transcoded to {target.Name}: it is {decoded} once decoded; JPEG baseline is written from MONOCHROME1, MONOCHROME2 or RGB only.");
        }
        // GDCM 3.0.21 orders the bytes of multi-byte colour samples wrongly in RLE, encoding as well as decoding.
        if (target.Equals(DicomTransferSyntax.RleLossless) && IsMultiByteColour(image))
        {
            throw new DicomCodecException(
                $"'{path}' cannot be transcoded to {target.Name}: GDCM 3.0.21 writes RLE of {image.SamplesPerPixel} samples of {image.BitsAllocated} bits with its bytes out of order.");
        }
    }

    private static async Task<DicomFile> ReadWholeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await DicomFile.OpenAsync(path, new DicomReadOptions { BulkDataThreshold = BulkDataThreshold }, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomException ex)
        {
            throw new DicomCodecException($"'{path}' cannot be transcoded: it is not readable DICOM: {ex.Message}", ex);
        }
    }

    /// <summary>Lossy by its transfer syntax or by its own word (Lossy Image Compression "01", kept through earlier transcodes).</summary>
    private static bool IsLossy(DicomFile file) =>
        file.TransferSyntax.IsLossy || string.Equals(file.Dataset.GetStringOrNull(DicomTag.LossyImageCompression)?.Trim(), "01", StringComparison.Ordinal);

    private static long LengthOf(DicomAttribute pixelData) => pixelData switch
    {
        DicomElement element => element.Length,
        DicomFragmentSequence fragments => fragments.Fragments.Sum(f => f.Length),
        _ => 0,
    };

    /// <summary>
    /// Compressed Pixel Data with a Basic Offset Table when there is one fragment per frame of a multi-frame image
    /// (offsets from the first fragment's item tag, PS3.5 A.4), so frames can be found without scanning for markers.
    /// </summary>
    private static DicomFragmentSequence Encapsulate(IReadOnlyList<byte[]> fragments, int numberOfFrames)
    {
        var sequence = new DicomFragmentSequence(DicomTag.PixelData, DicomVR.OB);
        if (numberOfFrames > 1 && fragments.Count == numberOfFrames && fragments.Sum(f => 8L + f.Length) <= uint.MaxValue)
        {
            var table = new byte[4 * numberOfFrames];
            uint offset = 0;
            for (var i = 0; i < numberOfFrames; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4 * i), offset);
                offset += 8 + (uint)fragments[i].Length;
            }
            sequence.BasicOffsetTable = table;
        }
        foreach (var fragment in fragments)
            sequence.Add(new DicomFragment(fragment));
        return sequence;
    }

    /// <summary>
    /// What the encoded pixels are. GDCM states the source's interpretation, but a JPEG source's YBR_FULL_422 was
    /// upsampled on decoding, so what a lossless syntax now holds is YBR_FULL (as decoding to native says too).
    /// GDCM's lossy JPEG of RGB is YCbCr with subsampled chroma (libjpeg's default 2 × 2) but GDCM still calls it RGB,
    /// and dcmtk then shows the YCbCr values as RGB: it is YBR_FULL_422, as PS3.5 8.2.1 names subsampled JPEG colour.
    /// </summary>
    private static string EncodedPhotometric(string stated, DicomTransferSyntax source, DicomTransferSyntax target)
    {
        if (target.Equals(DicomTransferSyntax.JpegBaseline))
            return stated == "RGB" ? "YBR_FULL_422" : stated;
        var decoded = GdcmDecoder.AfterDecoding(stated, source);
        return decoded == "YBR_FULL_422" ? "YBR_FULL" : decoded;
    }

    /// <summary>
    /// Lossy Image Compression (0028,2110) "01" with one ratio and one method (0028,2112/2114, PS3.3 C.7.6.1.1.5) per
    /// lossy step: the earlier steps as the source recorded them, the source's own lossy syntax when it recorded none
    /// (its ratio measured from its fragments), and this encoding when it is lossy.
    /// </summary>
    private static void FlagLossy(DicomDataset dataset, DicomFile source, bool sourceLossy, long decodedBytes, long sourcePixelLength, DicomTransferSyntax target, long encodedLength)
    {
        var ratios = dataset.Contains(DicomTag.LossyImageCompressionRatio) ? dataset.GetValues<string>(DicomTag.LossyImageCompressionRatio).ToList() : [];
        var methods = dataset.Contains(DicomTag.LossyImageCompressionMethod) ? dataset.GetValues<string>(DicomTag.LossyImageCompressionMethod).ToList() : [];
        var flagged = string.Equals(source.Dataset.GetStringOrNull(DicomTag.LossyImageCompression)?.Trim(), "01", StringComparison.Ordinal);
        if (sourceLossy && !flagged && MethodOf(source.TransferSyntax) is { } sourceMethod)
        {
            ratios.Add(Ratio(decodedBytes, sourcePixelLength));
            methods.Add(sourceMethod);
        }
        if (target.IsLossy && MethodOf(target) is { } method)
        {
            ratios.Add(Ratio(decodedBytes, encodedLength));
            methods.Add(method);
        }
        dataset.AddOrUpdate(DicomTag.LossyImageCompression, "01");
        if (ratios.Count > 0)
            dataset.AddOrUpdate(DicomTag.LossyImageCompressionRatio, [.. ratios]);
        if (methods.Count > 0)
            dataset.AddOrUpdate(DicomTag.LossyImageCompressionMethod, [.. methods]);
    }

    /// <summary>The Defined Terms of Lossy Image Compression Method (PS3.3 C.7.6.1.1.5.1).</summary>
    private static string? MethodOf(DicomTransferSyntax syntax) => syntax.Uid switch
    {
        "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" => "ISO_10918_1",
        "1.2.840.10008.1.2.4.81" => "ISO_14495_1",
        "1.2.840.10008.1.2.4.91" => "ISO_15444_1",
        "1.2.840.10008.1.2.4.203" => "ISO_15444_15",
        "1.2.840.10008.1.2.4.100" => "ISO_13818_2",
        "1.2.840.10008.1.2.4.102" => "ISO_14496_10",
        _ => null,
    };

    /// <summary>A Decimal String of at most 16 characters.</summary>
    private static string Ratio(long decoded, long encoded) =>
        encoded <= 0 ? "1" : Math.Round((double)decoded / encoded, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
