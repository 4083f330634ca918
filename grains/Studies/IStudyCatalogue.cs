namespace OrleansImaging.Grains.Studies;

/// <summary>
/// The per-instance catalogue of studies, kept out of the study grain's state so that recording one instance
/// writes one row, not the whole catalogue again (which would cost O(n²) over a study sent one instance per request).
/// Rows are only ever appended.
/// </summary>
public interface IStudyCatalogue
{
    /// <summary>The study's entries without metadata, in the order they were appended (loaded on activation).</summary>
    Task<IReadOnlyList<CatalogueEntry>> LoadAsync(string tenantId, string studyInstanceUid, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="entries"/> (with their metadata) in one transaction, durable when the task completes.
    /// Throws <see cref="CatalogueConflictException"/> if one of them is already there (another activation wrote it).
    /// </summary>
    /// <remarks>
    /// <paramref name="archiveWork"/> (instances to compress for the archive) is queued in the same transaction, so an
    /// acknowledged instance is never left without its queued compression, whatever happens next.
    /// </remarks>
    Task AppendAsync(string tenantId, string studyInstanceUid, IReadOnlyList<NewCatalogueEntry> entries, IReadOnlyList<Contracts.Archive.ArchiveWorkItem>? archiveWork = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Swaps an instance's object for its verified compressed one, keeping the original's SHA-256 and size and
    /// updating the metadata's Transfer Syntax UID, and removes its queued work, in one transaction. False (nothing
    /// changed) when the instance's current SHA-256 is not <see cref="Contracts.Archive.ArchiveReplacement.ExpectedSha256"/>.
    /// </summary>
    Task<bool> ReplaceAsync(string tenantId, string studyInstanceUid, Contracts.Archive.ArchiveReplacement replacement, CancellationToken cancellationToken = default);

    /// <summary>The DICOM JSON metadata of one instance, or null.</summary>
    Task<byte[]?> ReadMetadataAsync(string tenantId, string studyInstanceUid, string sopInstanceUid, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> queued items due at <paramref name="now"/> with fewer than <paramref name="maxAttempts"/> failures, oldest first.</summary>
    Task<IReadOnlyList<Contracts.Archive.ArchiveWorkItem>> TakeArchiveWorkAsync(int max, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts a failed attempt with its reason (or sets the attempts to <paramref name="giveUpAt"/>, giving it up); the
    /// item is not due again before <paramref name="notBefore"/>. Returns the attempts so far.
    /// </summary>
    Task<int> RecordArchiveFailureAsync(string tenantId, string studyInstanceUid, string sopInstanceUid, string error, DateTimeOffset notBefore, int? giveUpAt = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a queued item (nothing left to do).</summary>
    Task DropArchiveWorkAsync(string tenantId, string studyInstanceUid, string sopInstanceUid, CancellationToken cancellationToken = default);

    /// <summary>The study's archive compression: pending (fewer than <paramref name="maxAttempts"/> failures), compressed, given up.</summary>
    Task<Contracts.Archive.ArchiveStatus> GetArchiveStatusAsync(string tenantId, string studyInstanceUid, int maxAttempts, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the metadata of the study's instances (of one series when <paramref name="seriesInstanceUid"/> is set),
    /// in append order, as one DICOM JSON array to <paramref name="destination"/>; returns how many there were.
    /// </summary>
    Task<int> WriteMetadataArrayAsync(string tenantId, string studyInstanceUid, string? seriesInstanceUid, Stream destination, CancellationToken cancellationToken = default);
}

/// <summary>
/// One instance in the catalogue, without its metadata (what a study grain keeps in memory). <c>OriginalSha256</c> is
/// set once archive compression replaced the object received: the hash of what the sender sent.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.CatalogueEntry")]
public sealed record CatalogueEntry(
    [property: Id(0)] string SeriesInstanceUid,
    [property: Id(1)] string SopInstanceUid,
    [property: Id(2)] string SopClassUid,
    [property: Id(3)] string TransferSyntaxUid,
    [property: Id(4)] string BlobKey,
    [property: Id(5)] long Size,
    [property: Id(6)] string Sha256,
    [property: Id(7)] string? OriginalSha256 = null);

/// <summary>An entry to append, with the instance's DICOM JSON metadata.</summary>
public sealed record NewCatalogueEntry(CatalogueEntry Entry, ReadOnlyMemory<byte> MetadataJson, DateTimeOffset AddedAt);

/// <summary>An appended SOP instance was already in the catalogue: the writer's view of the study was stale.</summary>
public sealed class CatalogueConflictException(string message, Exception inner) : Exception(message, inner);
