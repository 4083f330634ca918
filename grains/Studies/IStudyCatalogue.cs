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
    Task AppendAsync(string tenantId, string studyInstanceUid, IReadOnlyList<NewCatalogueEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the metadata of the study's instances (of one series when <paramref name="seriesInstanceUid"/> is set),
    /// in append order, as one DICOM JSON array to <paramref name="destination"/>; returns how many there were.
    /// </summary>
    Task<int> WriteMetadataArrayAsync(string tenantId, string studyInstanceUid, string? seriesInstanceUid, Stream destination, CancellationToken cancellationToken = default);
}

/// <summary>One instance in the catalogue, without its metadata (what a study grain keeps in memory).</summary>
[GenerateSerializer, Immutable, Alias("OrleansImaging.CatalogueEntry")]
public sealed record CatalogueEntry(
    [property: Id(0)] string SeriesInstanceUid,
    [property: Id(1)] string SopInstanceUid,
    [property: Id(2)] string SopClassUid,
    [property: Id(3)] string TransferSyntaxUid,
    [property: Id(4)] string BlobKey,
    [property: Id(5)] long Size,
    [property: Id(6)] string Sha256);

/// <summary>An entry to append, with the instance's DICOM JSON metadata.</summary>
public sealed record NewCatalogueEntry(CatalogueEntry Entry, ReadOnlyMemory<byte> MetadataJson, DateTimeOffset AddedAt);

/// <summary>An appended SOP instance was already in the catalogue: the writer's view of the study was stale.</summary>
public sealed class CatalogueConflictException(string message, Exception inner) : Exception(message, inner);
