using OrleansImaging.Dicom.Codecs;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// The rendering pipeline over the codec facade: reads the header with our own reader (window, rescale, frame count,
/// whether there are pixels at all), decodes through <see cref="IDicomCodec"/> (whose limits refuse decode bombs before
/// allocating), runs <see cref="DisplayPipeline"/> on the frame, then crops, scales and encodes with
/// <see cref="SkiaImageEncoder"/>. Stateless and safe to share; it does not bound its own concurrency (callers do).
/// </summary>
/// <param name="codec">The codec facade.</param>
public sealed class DicomRenderer(IDicomCodec codec) : IDicomRenderer
{
    /// <inheritdoc />
    public async Task<RenderedImage> RenderAsync(string path, RenderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Frame);
        DicomFile header;
        try
        {
            header = await DicomFile.OpenAsync(path, DicomReadOptions.HeaderOnly, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomException ex)
        {
            throw new DicomRenderException(DicomRenderFailure.DecodeFailed, "The object's header cannot be read: " + ex.Message, ex);
        }
        if (header.StoppedAtOffset is null)
        {
            throw new DicomRenderException(DicomRenderFailure.NotAnImage,
                "The object has no Pixel Data (it is not an image, e.g. a structured report, an encapsulated PDF or a key object selection), so it has no rendered image.");
        }
        var attributes = DisplayAttributes.FromDataset(header.Dataset, request.Frame);
        if (request.Frame > attributes.NumberOfFrames)
        {
            throw new DicomRenderException(DicomRenderFailure.NoSuchFrame,
                $"Frame {request.Frame} does not exist; the object has {attributes.NumberOfFrames} frame{(attributes.NumberOfFrames == 1 ? "" : "s")}.");
        }
        DicomDecodedImage decoded;
        try
        {
            decoded = await codec.DecodeFramesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomCodecException ex)
        {
            // The facade's messages start with the file's path; the client must see the reason only.
            var reason = ex.Message.Replace($"'{path}'", "The object", StringComparison.Ordinal).Replace(path, "the object", StringComparison.Ordinal);
            throw new DicomRenderException(DicomRenderFailure.DecodeFailed, reason, ex);
        }
        if (request.Frame > decoded.Frames.Count)
        {
            throw new DicomRenderException(DicomRenderFailure.NoSuchFrame,
                $"Frame {request.Frame} does not exist; the object's pixel data has {decoded.Frames.Count} frame{(decoded.Frames.Count == 1 ? "" : "s")}.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        return Render(decoded.Description, decoded.Frames[request.Frame - 1], attributes, request);
    }

    /// <summary>Renders one decoded frame: display pipeline, viewport, encoding. Separate from I/O so that tests can feed arrays.</summary>
    public static RenderedImage Render(DicomImageDescription description, ReadOnlySpan<byte> frame, DisplayAttributes attributes, RenderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var display = DisplayPipeline.Render(description, frame, attributes, request.Window);
        var plan = ViewportGeometry.Plan(display.Width, display.Height, request.Viewport, request.AllowUpscale);
        var region = ViewportGeometry.Crop(display, plan);
        var content = SkiaImageEncoder.Encode(region, plan.OutputWidth, plan.OutputHeight, request.Format, request.Quality);
        return new RenderedImage(content, request.MediaType, plan.OutputWidth, plan.OutputHeight);
    }
}
