using System.Globalization;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Codecs;

/// <summary>
/// The codec facade: the only code in OrleansImaging that talks to GDCM. It reads the header with our
/// own managed reader first, so that what GDCM is asked to allocate is known and bounded (and the
/// inputs known to abort or crash GDCM never reach it), then lets GDCM decode and hands back plain
/// frame bytes, or lets GDCM encode and writes the transcoded file with our own writer
/// (<see cref="TranscodeAsync"/>). Instances are stateless and safe to share.
/// </summary>
/// <param name="options">Limits; <see cref="DicomCodecOptions.Default"/> when null.</param>
public sealed partial class DicomCodecs(DicomCodecOptions? options = null) : IDicomCodec
{
    private readonly DicomCodecOptions _options = Validate(options ?? DicomCodecOptions.Default);

    /// <inheritdoc />
    public async Task<DicomDecodedImage> DecodeFramesAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (header, _, declaredBytes) = await ReadDecodableAsync(path, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return GdcmDecoder.Decode(path, header.TransferSyntax, declaredBytes, _options.MaxDecodedBytes);
    }

    /// <summary>
    /// Reads the header and refuses what must not reach GDCM: decode bombs, and the images GDCM decodes wrongly
    /// or by aborting the process.
    /// </summary>
    private async Task<(DicomFile Header, DicomImageDescription Declared, long DeclaredBytes)> ReadDecodableAsync(string path, CancellationToken cancellationToken)
    {
        var (header, declared) = await ReadDeclaredImageAsync(path, cancellationToken).ConfigureAwait(false);
        var declaredBytes = declared.FrameLength * declared.NumberOfFrames;
        if (declaredBytes > _options.MaxDecodedBytes)
        {
            throw new DicomCodecException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{path}' declares {declared.Rows} × {declared.Columns} × {declared.SamplesPerPixel} samples × {declared.BytesPerSample} bytes × {declared.NumberOfFrames} frames = {declaredBytes:N0} decoded bytes, more than the limit of {_options.MaxDecodedBytes:N0}: refused before decoding."));
        }
        // pydicom's SC_rgb_rle_16bit/32bit are the picture of SC_rgb_rle at 16 and 32 bits: dcmdrle's first pixel is
        // pure red in all three, GDCM 3.0.21's is not (it orders the bytes of multi-byte colour samples wrongly).
        // Wrong pixels are worse than none.
        if (header.TransferSyntax.Equals(DicomTransferSyntax.RleLossless) && IsMultiByteColour(declared))
        {
            throw new DicomCodecException(
                $"'{path}' is RLE with {declared.SamplesPerPixel} samples of {declared.BitsAllocated} bits, which GDCM 3.0.21 decodes with its bytes out of order: refused rather than returning wrong pixels.");
        }
        return (header, declared, declaredBytes);
    }

    private static bool IsMultiByteColour(DicomImageDescription image) => image.SamplesPerPixel > 1 && image.BitsAllocated > 8;

    private static DicomCodecOptions Validate(DicomCodecOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxDecodedBytes, nameof(options));
        if (options.JpegBaselineQuality is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(options), options.JpegBaselineQuality, "JPEG baseline quality must be 1 to 100.");
        return options;
    }

    private static async Task<(DicomFile Header, DicomImageDescription Declared)> ReadDeclaredImageAsync(string path, CancellationToken cancellationToken)
    {
        DicomFile header;
        try
        {
            header = await DicomFile.OpenAsync(path, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomException ex)
        {
            throw new DicomCodecException($"'{path}' cannot be decoded: its header is not readable DICOM: {ex.Message}", ex);
        }
        if (header.StoppedAtOffset is null)
            throw new DicomCodecException($"'{path}' has no Pixel Data: there is nothing to decode.");
        var dataset = header.Dataset;
        var rows = Positive(dataset, DicomTag.Rows, path);
        var columns = Positive(dataset, DicomTag.Columns, path);
        var samples = Positive(dataset, DicomTag.SamplesPerPixel, path);
        var bitsAllocated = Positive(dataset, DicomTag.BitsAllocated, path);
        // Number of Frames is optional (absent means one frame) and IS text, so it can be anything.
        var frames = dataset.Contains(DicomTag.NumberOfFrames) ? Positive(dataset, DicomTag.NumberOfFrames, path) : 1;
        // Debian builds GDCM with assertions on: a Frame Increment Pointer without Number of Frames fails
        // one in gdcm::Attribute and aborts the whole process (seen with pydicom's rtdose_*_1frame.dcm).
        if (dataset.Contains(DicomTag.FrameIncrementPointer) && !dataset.Contains(DicomTag.NumberOfFrames))
            throw new DicomCodecException($"'{path}' cannot be decoded: it has a Frame Increment Pointer (0028,0009) but no Number of Frames (0028,0008), which GDCM cannot read.");
        return (header, new DicomImageDescription(
            rows,
            columns,
            samples,
            bitsAllocated,
            dataset.GetOrDefault(DicomTag.BitsStored, bitsAllocated),
            dataset.GetOrDefault(DicomTag.PixelRepresentation, 0),
            dataset.GetOrDefault(DicomTag.PlanarConfiguration, 0),
            dataset.GetStringOrNull(DicomTag.PhotometricInterpretation) ?? string.Empty,
            frames));
    }

    private static int Positive(DicomDataset dataset, DicomTag tag, string path)
    {
        if (!dataset.TryGet<long>(tag, out var value))
            throw new DicomCodecException($"'{path}' cannot be decoded: {tag} is missing or not a number.");
        if (value is < 1 or > int.MaxValue)
            throw new DicomCodecException($"'{path}' cannot be decoded: {tag} is {value}.");
        return (int)value;
    }
}
