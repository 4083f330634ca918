using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom.Imaging;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Rendering;

/// <summary>
/// Renders stored instances for the rendered and thumbnail resources: copies the object from blob storage to a private
/// temporary file (GDCM reads only files), hands it to the <see cref="IDicomRenderer"/>, and deletes it. At most one
/// render per processor runs at a time in this process, since decoding and scaling are CPU-bound and allocate whole
/// frames; the others wait (cancellably, with their request). Codec work belongs on silos: in the embedded default the
/// api and silo are one process, and this is where a call to a <c>[StatelessWorker]</c> codec grain would go.
/// </summary>
public sealed class RenderingService(IDicomRenderer renderer, IBlobStore blobs, ILogger<RenderingService> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>Renders one instance as <paramref name="request"/> says.</summary>
    /// <exception cref="DicomRenderException">The instance cannot be rendered so (not an image, no such frame, decode failure…).</exception>
    public async Task<RenderedImage> RenderAsync(InstanceLocation location, RenderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        await _gate.WaitAsync(cancellationToken);
        var path = Path.Combine(Path.GetTempPath(), $"imaging-render-{Guid.NewGuid():N}.dcm");
        try
        {
            await using (var source = await blobs.OpenReadAsync(location.BlobKey, cancellationToken)
                ?? throw new InvalidOperationException("A catalogued object is missing from blob storage."))
            {
                // Patient data: readable by this user only, created fresh (never an existing file someone prepared).
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                await using var target = new FileStream(path, options);
                await source.CopyToAsync(target, cancellationToken);
            }
            return await renderer.RenderAsync(path, request, cancellationToken);
        }
        catch (DicomRenderException ex) when (ex.Failure == DicomRenderFailure.DecodeFailed)
        {
            logger.LogWarning(ex, "Instance {SopInstanceUid} (stored {TransferSyntaxUid}) cannot be rendered: {Reason}", location.SopInstanceUid, location.TransferSyntaxUid, ex.Message);
            throw;
        }
        finally
        {
            File.Delete(path);
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
