namespace OrleansImaging.Dicom.Imaging;

/// <summary>Why an object could not be rendered, so that a caller can answer each case differently.</summary>
public enum DicomRenderFailure
{
    /// <summary>The object has no pixel data (SR, PDF, KO, …): there is no image to render.</summary>
    NotAnImage,

    /// <summary>The frame asked for is beyond the object's Number of Frames.</summary>
    NoSuchFrame,

    /// <summary>The image is of a kind the renderer does not draw (e.g. PALETTE COLOR, YBR_PARTIAL, 4 samples).</summary>
    Unsupported,

    /// <summary>A request parameter does not fit this image (e.g. a viewport region outside it).</summary>
    InvalidParameter,

    /// <summary>The pixel data could not be decoded (corrupt, refused by the codec's limits, or a codec failure).</summary>
    DecodeFailed,
}

/// <summary>
/// An object could not be rendered. The message describes the object and the reason, never a file path, so it can be
/// shown to a client.
/// </summary>
public sealed class DicomRenderException : DicomException
{
    /// <summary>Creates the exception.</summary>
    public DicomRenderException(DicomRenderFailure failure, string message, Exception? innerException = null)
        : base(message, innerException!)
    {
        Failure = failure;
    }

    /// <summary>The kind of failure.</summary>
    public DicomRenderFailure Failure { get; }

    /// <summary>For <see cref="DicomRenderFailure.InvalidParameter"/>: the request parameter at fault, e.g. <c>viewport</c>.</summary>
    public string? Parameter { get; init; }
}
