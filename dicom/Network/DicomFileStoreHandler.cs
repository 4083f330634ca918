using System.Buffers;
using System.Text;
using OrleansImaging.Dicom.IO;

namespace OrleansImaging.Dicom.Network;

/// <summary>
/// Stores each received instance as a Part 10 file named after its SOP Instance UID in one folder: File Meta
/// Information (the context's transfer syntax, the command's SOP UIDs, our implementation UID and version, the
/// calling AE as Source AE Title) followed by the data set copied as it arrives. The file is written under a
/// temporary name, fsynced, then renamed, so success is only answered for a complete, durable file, and a transfer
/// that fails leaves nothing behind.
/// </summary>
public sealed class DicomFileStoreHandler : IDicomStoreHandler
{
    private static readonly DicomTag MediaStorageSopClassUid = new(0x0002, 0x0002);
    private static readonly DicomTag MediaStorageSopInstanceUid = new(0x0002, 0x0003);
    private static readonly DicomTag SourceApplicationEntityTitle = new(0x0002, 0x0016);
    private static readonly DicomWriter MetaWriter = new(DicomTransferSyntax.ExplicitVRLittleEndian, new DicomWriteOptions { WriteGroupLengths = true });

    /// <summary>Stores into <paramref name="folder"/>, creating it if needed.</summary>
    public DicomFileStoreHandler(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Directory.CreateDirectory(folder).FullName;
    }

    /// <summary>The folder files are written to.</summary>
    public string Folder { get; }

    /// <summary>
    /// Whether each file is fsynced before it is renamed into place (the default). A caller that makes the folder
    /// durable itself, for several files at once, turns it off and must not answer success before it has.
    /// </summary>
    public bool FlushEachFile { get; init; } = true;

    /// <summary>The path an instance is stored at.</summary>
    public string PathFor(string sopInstanceUid) => Path.Combine(Folder, sopInstanceUid + ".dcm");

    /// <inheritdoc />
    public async Task<DicomStoreResult> StoreAsync(DicomStoreRequest request, Stream dataset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(dataset);
        // The UID becomes a file name: only a valid UID (digits and dots) may.
        if (!DicomUid.IsValid(request.SopInstanceUid) || !DicomUid.IsValid(request.SopClassUid))
            return new DicomStoreResult(DicomStatus.CannotUnderstand, "The SOP Class or Instance UID is not a valid UID.");
        var target = PathFor(request.SopInstanceUid);
        var partial = Path.Combine(Folder, $".{request.SopInstanceUid}.{Guid.NewGuid():N}.part");
        try
        {
            // Synchronous writes: a 64 KiB write into the page cache takes microseconds, while .NET's asynchronous file
            // I/O on Linux hands every write to a thread-pool thread, a context switch each (8 per 0.5 MB slice).
            var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.None);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(new byte[128], cancellationToken).ConfigureAwait(false);
                await file.WriteAsync("DICM"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                var existing = new DicomDataset()
                    .Add(new DicomElement(MediaStorageSopClassUid, DicomVR.UI, Uid(request.SopClassUid)))
                    .Add(new DicomElement(MediaStorageSopInstanceUid, DicomVR.UI, Uid(request.SopInstanceUid)));
                if (request.Peer.CallingAeTitle.Length > 0 && Ascii.IsValid(request.Peer.CallingAeTitle))
                    existing.Add(new DicomElement(SourceApplicationEntityTitle, DicomVR.AE, DicomDataset.PadToEven(Encoding.ASCII.GetBytes(request.Peer.CallingAeTitle), (byte)' ')));
                var meta = DicomFileMetaInformation.Create(new DicomDataset(), request.TransferSyntax, existing);
                await MetaWriter.WriteAsync(file, meta, cancellationToken).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    int read;
                    while ((read = await dataset.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                        file.Write(buffer, 0, read);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                file.Flush(flushToDisk: FlushEachFile);
            }
            File.Move(partial, target, overwrite: true);
            return DicomStoreResult.Success;
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
    }

    private static byte[] Uid(string uid) => DicomDataset.PadToEven(Encoding.ASCII.GetBytes(uid), 0);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The store already failed; that error is the one to report.
        }
    }
}
