using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Codecs;
using OrleansImaging.Grains.Authorization;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Archive;

/// <summary>Where codec workers keep their temporary files.</summary>
/// <param name="TemporaryDirectory">A folder only the silo's user can read (it holds images while they are compressed).</param>
public sealed record CodecWorkerOptions(string TemporaryDirectory);

/// <summary>
/// Archive compression of one instance, on the silo: a stateless worker, so Orleans runs at most one activation per
/// core on each silo and the codec work of a cluster spreads over every silo's cores. GDCM reads and writes files,
/// so the object is copied to a temporary file (owner-only), transcoded, and both files decoded and compared frame by
/// frame before the compressed object is stored; the original is deleted only after the study grain swapped them.
/// </summary>
[StatelessWorker]
public sealed partial class CodecWorkerGrain(IBlobStore blobs, IDicomCodec codec, CodecWorkerOptions options, ILogger<CodecWorkerGrain> logger) : Grain, ICodecWorkerGrain
{
    /// <inheritdoc/>
    public async Task<ArchiveWorkResult> CompressAsync(ArchiveWorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var caller = Access.CurrentCaller();
        if (caller.Kind != CallerKind.System || !caller.IsInTenant(item.TenantId))
            throw new NotFoundException("Not found.");
        var study = GrainFactory.GetGrain<IStudyGrain>(GrainKeys.Study(item.TenantId, item.StudyInstanceUid));
        InstanceLocation location;
        try
        {
            location = await study.GetInstanceAsync(item.SeriesInstanceUid, item.SopInstanceUid);
        }
        catch (NotFoundException)
        {
            return new ArchiveWorkResult(ArchiveWorkOutcome.Skipped);
        }
        if (location.TransferSyntaxUid == item.TargetTransferSyntaxUid || location.OriginalSha256 is not null)
            return new ArchiveWorkResult(ArchiveWorkOutcome.Skipped);

        var directory = TemporaryDirectory();
        var name = Guid.NewGuid().ToString("N");
        var sourcePath = Path.Combine(directory, name + ".original.dcm");
        var targetPath = Path.Combine(directory, name + ".archive.dcm");
        string? storedKey = null;
        try
        {
            await using (var blob = await blobs.OpenReadAsync(location.BlobKey))
            {
                if (blob is null)
                    return await FailAsync(study, item, "The stored object is missing.", permanent: false);
                await using var file = CreatePrivateFile(sourcePath);
                await blob.CopyToAsync(file);
            }
            var target = DicomTransferSyntax.Lookup(item.TargetTransferSyntaxUid);
            var transcoded = await codec.TranscodeAsync(sourcePath, targetPath, target);
            if (transcoded.IsLossy)
                return await FailAsync(study, item, "The image is lossy already; it is not recompressed as if it were an original.", permanent: true);
            if (await DifferenceAsync(sourcePath, targetPath) is { } difference)
                return await FailAsync(study, item, "The compressed image did not decode to the original pixels: " + difference, permanent: true);

            storedKey = $"{item.TenantId}/{item.StudyInstanceUid}/{item.SopInstanceUid}.{Guid.NewGuid():N}.dcm";
            BlobWriteResult written;
            await using (var compressed = new FileStream(targetPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan))
                written = await blobs.PutAsync(storedKey, compressed);
            var replaced = await study.ReplaceWithArchivedAsync(new ArchiveReplacement(
                item.SopInstanceUid, location.Sha256, storedKey, target.Uid, written.Length, written.Sha256));
            if (!replaced)
            {
                await blobs.DeleteAsync(storedKey);
                return new ArchiveWorkResult(ArchiveWorkOutcome.Skipped);
            }
            storedKey = null;
            // The catalogue points at the compressed object now; a crash before this delete leaves an orphan, never a loss.
            await blobs.DeleteAsync(location.BlobKey);
            LogCompressed(item.TenantId, item.StudyInstanceUid, item.SopInstanceUid, location.Size, written.Length);
            return new ArchiveWorkResult(ArchiveWorkOutcome.Compressed, location.Size, written.Length);
        }
        catch (DicomCodecException ex)
        {
            return await FailAsync(study, item, ex.Message, permanent: true);
        }
        catch (IOException ex)
        {
            return await FailAsync(study, item, "Storage failed: " + ex.GetType().Name, permanent: false);
        }
        finally
        {
            if (storedKey is not null)
                await blobs.DeleteAsync(storedKey);
            TryDelete(sourcePath);
            TryDelete(targetPath);
        }
    }

    /// <summary>
    /// Null when the compressed file decodes to exactly the original's Pixel Data; else what differs. The original is
    /// read with our own reader, not decoded by GDCM, so a GDCM that read both files alike (padding a short Pixel Data,
    /// say) cannot hide a difference.
    /// </summary>
    private async Task<string?> DifferenceAsync(string originalPath, string compressedPath)
    {
        var compressed = await codec.DecodeFramesAsync(compressedPath);
        var original = await DicomFile.OpenAsync(originalPath);
        if (!original.Dataset.TryGetAttribute(DicomTag.PixelData, out var attribute) || attribute is not DicomElement { IsLoaded: true } pixelData)
            return "the original has no native Pixel Data.";
        var description = compressed.Description;
        if (description.PlanarConfiguration != original.Dataset.GetOrDefault(DicomTag.PlanarConfiguration, 0)
            || description.Rows != original.Dataset.GetOrDefault(DicomTag.Rows, 0)
            || description.Columns != original.Dataset.GetOrDefault(DicomTag.Columns, 0)
            || description.BitsAllocated != original.Dataset.GetOrDefault(DicomTag.BitsAllocated, 0))
            return "the decoded image is laid out differently from the original.";
        var raw = pixelData.RawValue.Span;
        var expected = description.FrameLength * compressed.Frames.Count;
        if (raw.Length < expected)
            return $"the original's Pixel Data holds {raw.Length} bytes, fewer than the {expected} its rows, columns, samples and frames need.";
        var offset = 0;
        for (var i = 0; i < compressed.Frames.Count; i++)
        {
            var frame = compressed.Frames[i];
            if (!raw.Slice(offset, frame.Length).SequenceEqual(frame))
                return $"frame {i + 1} differs.";
            offset += frame.Length;
        }
        return null;
    }

    private async Task<ArchiveWorkResult> FailAsync(IStudyGrain study, ArchiveWorkItem item, string error, bool permanent)
    {
        await study.RecordArchiveFailureAsync(item.SopInstanceUid, error, permanent);
        return new ArchiveWorkResult(ArchiveWorkOutcome.Failed, Error: error);
    }

    private string TemporaryDirectory()
    {
        var directory = options.TemporaryDirectory;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return directory;
    }

    private static FileStream CreatePrivateFile(string path)
    {
        var streamOptions = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
            BufferSize = 64 * 1024,
        };
        if (!OperatingSystem.IsWindows())
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, streamOptions);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A temp file left behind is removed with the folder at the next start.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archived {TenantId}/{StudyInstanceUid}/{SopInstanceUid}: {OriginalBytes} → {CompressedBytes} bytes, pixels verified.")]
    private partial void LogCompressed(string tenantId, string studyInstanceUid, string sopInstanceUid, long originalBytes, long compressedBytes);
}
