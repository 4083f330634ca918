namespace OrleansImaging.Dicom.Imaging;

/// <summary>The media type a frame is rendered to.</summary>
public enum RenderedFormat
{
    /// <summary>image/jpeg, baseline, 8 bits per sample.</summary>
    Jpeg,

    /// <summary>image/png, 8 bits per sample, lossless.</summary>
    Png,
}

/// <summary>What to render from one stored object, and how.</summary>
/// <param name="Frame">The 1-based frame number.</param>
/// <param name="Format">The output media type.</param>
/// <param name="Quality">JPEG quality, 1–100; ignored for PNG.</param>
/// <param name="Window">The VOI window for greyscale images; null for the object's own window, or its pixel range.</param>
/// <param name="Viewport">The output size and source region; null for the image at its own size.</param>
/// <param name="AllowUpscale">Whether a viewport larger than the image enlarges it (rendered) or not (thumbnails).</param>
public sealed record RenderRequest(
    int Frame = 1,
    RenderedFormat Format = RenderedFormat.Jpeg,
    int Quality = RenderRequest.DefaultQuality,
    VoiWindow? Window = null,
    Viewport? Viewport = null,
    bool AllowUpscale = true)
{
    /// <summary>The JPEG quality when a request names none.</summary>
    public const int DefaultQuality = 90;

    /// <summary>The media type of <see cref="Format"/>.</summary>
    public string MediaType => Format == RenderedFormat.Png ? "image/png" : "image/jpeg";
}

/// <summary>An encoded rendered image.</summary>
/// <param name="Content">The encoded bytes.</param>
/// <param name="MediaType">image/jpeg or image/png.</param>
/// <param name="Width">Columns of the output.</param>
/// <param name="Height">Rows of the output.</param>
public sealed record RenderedImage(byte[] Content, string MediaType, int Width, int Height);
