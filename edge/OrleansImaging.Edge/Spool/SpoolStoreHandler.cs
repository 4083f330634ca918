using OrleansImaging.Dicom.Network;

namespace OrleansImaging.Edge.Spool;

/// <summary>
/// The edge's C-STORE handler: each instance becomes <c>queue/&lt;SOP Instance UID&gt;.dcm</c> (a Part 10 file written
/// under a temporary name and renamed by <see cref="DicomFileStoreHandler"/>), made durable before success is
/// answered, so an instance the modality was told is stored survives a power cut or a SIGKILL. On Linux one
/// <see cref="FileSystemFlushGroup"/> flush covers the file and its rename, shared by the associations storing at
/// the same moment; elsewhere the file is fsynced before its rename and the queue folder after it. A repeat of a
/// queued SOP Instance UID replaces the file atomically.
/// </summary>
internal sealed class SpoolStoreHandler(EdgeSpool spool, Action received) : IDicomStoreHandler, IDisposable
{
    private readonly DicomFileStoreHandler _files = new(spool.QueueDirectory) { FlushEachFile = !FileSystemFlushGroup.IsSupported };
    private readonly FileSystemFlushGroup? _flush = FileSystemFlushGroup.IsSupported ? new FileSystemFlushGroup(spool.QueueDirectory) : null;

    /// <inheritdoc />
    public async Task<DicomStoreResult> StoreAsync(DicomStoreRequest request, Stream dataset, CancellationToken cancellationToken)
    {
        var result = await _files.StoreAsync(request, dataset, cancellationToken);
        if (result.Status != DicomStatus.Success)
            return result;
        // The file and its rename are durable only once flushed: without this, a crash could lose an acknowledged file.
        if (_flush is not null)
            await _flush.FlushAsync();
        else
            DirectorySync.Flush(spool.QueueDirectory);
        received();
        return result;
    }

    public void Dispose() => _flush?.Dispose();
}
