namespace OrleansImaging.Grains.Index;

/// <summary>
/// The QIDO-RS query index: a searchable copy of the headers the study grains have accepted,
/// kept per tenant. It is derived data (the study grains and blobs are the record), so it can be
/// rebuilt; it is written only by study grains and read only through <see cref="QueryAsync"/>,
/// whose every query is confined to one tenant.
/// </summary>
public interface IQueryIndex
{
    /// <summary>
    /// Adds or replaces instances, all in one transaction: either the whole batch is visible with
    /// its study and series counts updated, or none of it is. Idempotent on (tenant, SOP Instance
    /// UID): indexing an instance again replaces its row and leaves the counts alone.
    /// </summary>
    /// <exception cref="QueryIndexException">The database failed; nothing of the batch was written.</exception>
    Task UpsertAsync(IReadOnlyList<IndexedInstance> batch, CancellationToken cancellationToken = default);

    /// <summary>Runs a parsed QIDO-RS query in its tenant and returns one page of matches.</summary>
    /// <exception cref="QueryIndexException">The database failed.</exception>
    Task<QueryResult> QueryAsync(QidoQuery query, CancellationToken cancellationToken = default);

    /// <summary>Removes a study, its series and its instances from the tenant's index; false when it was not there.</summary>
    /// <exception cref="QueryIndexException">The database failed.</exception>
    Task<bool> DeleteStudyAsync(string tenantId, string studyInstanceUid, CancellationToken cancellationToken = default);
}
