namespace OrleansImaging.Dicom.Imaging;

/// <summary>
/// Renders one frame of a stored DICOM object to image/jpeg or image/png. A file path in, encoded bytes out: small on
/// purpose, so that rendering (codec work, which belongs on silos) can move behind a <c>[StatelessWorker]</c> codec
/// grain without changing its callers; in the embedded default the api and the silo are one process and call it directly.
/// </summary>
public interface IDicomRenderer
{
    /// <summary>Renders <see cref="RenderRequest.Frame"/> of the Part 10 file at <paramref name="path"/>.</summary>
    /// <exception cref="DicomRenderException">
    /// The object has no pixel data, has no such frame, is of a kind not rendered, does not fit a parameter, or its
    /// pixel data cannot be decoded. The message never names the file.
    /// </exception>
    Task<RenderedImage> RenderAsync(string path, RenderRequest request, CancellationToken cancellationToken = default);
}
