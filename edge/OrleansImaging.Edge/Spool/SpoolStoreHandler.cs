using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Edge.Spool;

/// <summary>
/// The edge's C-STORE handler: each instance becomes <c>queue/&lt;SOP Instance UID&gt;.dcm</c> (a Part 10 file written
/// under a temporary name, fsynced and renamed by <see cref="DicomFileStoreHandler"/>), and the queue directory is
/// fsynced before success is answered, so an instance the modality was told is stored survives a power cut or a
/// SIGKILL. A repeat of a queued SOP Instance UID replaces the file atomically.
/// </summary>
internal sealed class SpoolStoreHandler(EdgeSpool spool, Action received) : IDicomStoreHandler
{
    private readonly DicomFileStoreHandler _files = new(spool.QueueDirectory);

    /// <inheritdoc />
    public async Task<DicomStoreResult> StoreAsync(DicomStoreRequest request, Stream dataset, CancellationToken cancellationToken)
    {
        var result = await _files.StoreAsync(request, dataset, cancellationToken);
        if (result.Status != DicomStatus.Success)
            return result;
        // The rename is durable only once the directory is: without this, a crash could lose an acknowledged file.
        DirectorySync.Flush(spool.QueueDirectory);
        received();
        return result;
    }
}
