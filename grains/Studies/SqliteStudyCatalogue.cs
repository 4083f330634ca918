using Microsoft.Data.Sqlite;
using OrleansImaging.Contracts.Archive;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Studies;

/// <summary>
/// The study catalogue in a SQLite file of its own (WAL): one append-only row per instance, its DICOM JSON metadata
/// in the row, one transaction per <see cref="AppendAsync"/> batch. A file apart from Orleans' grain storage, so the
/// two writers do not queue on one database lock.
/// </summary>
public sealed partial class SqliteStudyCatalogue : IStudyCatalogue, IDisposable
{
    // The metadata column comes last: reading the index (every column but it) then never touches its overflow pages.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS StudyInstances (
            Seq               INTEGER PRIMARY KEY,
            TenantId          TEXT    NOT NULL,
            StudyInstanceUid  TEXT    NOT NULL,
            SeriesInstanceUid TEXT    NOT NULL,
            SopInstanceUid    TEXT    NOT NULL,
            SopClassUid       TEXT    NOT NULL,
            TransferSyntaxUid TEXT    NOT NULL,
            BlobKey           TEXT    NOT NULL,
            Size              INTEGER NOT NULL,
            Sha256            TEXT    NOT NULL,
            AddedAt           TEXT    NOT NULL,
            MetadataJson      BLOB    NOT NULL,
            UNIQUE (TenantId, StudyInstanceUid, SopInstanceUid)
        );
        CREATE INDEX IF NOT EXISTS IX_StudyInstances_Series ON StudyInstances (TenantId, StudyInstanceUid, SeriesInstanceUid);
        """ + ArchiveSchema;

    private readonly SqliteDataSource _dataSource;

    // SQLite has one writer per file and Microsoft.Data.Sqlite blocks a thread for the fsync; queueing writers here
    // (asynchronously) keeps at most one thread-pool thread blocked instead of one per waiting grain.
    private readonly SemaphoreSlim _writerGate = new(1, 1);

    /// <summary>Opens (creating if needed) the catalogue described by <paramref name="options"/>.</summary>
    public SqliteStudyCatalogue(StudyCatalogueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        _dataSource = new SqliteDataSource(options.DatabasePath, options.Synchronous, options.BusyTimeout);
        _dataSource.EnableWal();
        using var connection = _dataSource.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
        AddArchiveColumns(connection);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<CatalogueEntry>> LoadAsync(string tenantId, string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        await using var connection = _dataSource.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT SeriesInstanceUid, SopInstanceUid, SopClassUid, TransferSyntaxUid, BlobKey, Size, Sha256, OriginalSha256
            FROM StudyInstances WHERE TenantId = $tenant AND StudyInstanceUid = $study ORDER BY Seq
            """;
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$study", studyInstanceUid);
        var entries = new List<CatalogueEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new CatalogueEntry(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt64(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return entries;
    }

    /// <inheritdoc/>
    public async Task AppendAsync(string tenantId, string studyInstanceUid, IReadOnlyList<NewCatalogueEntry> entries, IReadOnlyList<ArchiveWorkItem>? archiveWork = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }
        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = _dataSource.Open();
            // BEGIN IMMEDIATE: take the write lock up front rather than upgrading mid-transaction (which can deadlock).
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO StudyInstances (TenantId, StudyInstanceUid, SeriesInstanceUid, SopInstanceUid, SopClassUid,
                    TransferSyntaxUid, BlobKey, Size, Sha256, AddedAt, MetadataJson)
                VALUES ($tenant, $study, $series, $sop, $sopClass, $ts, $blob, $size, $sha, $addedAt, $metadata)
                """;
            command.Parameters.AddWithValue("$tenant", tenantId);
            command.Parameters.AddWithValue("$study", studyInstanceUid);
            var series = command.Parameters.Add("$series", SqliteType.Text);
            var sop = command.Parameters.Add("$sop", SqliteType.Text);
            var sopClass = command.Parameters.Add("$sopClass", SqliteType.Text);
            var ts = command.Parameters.Add("$ts", SqliteType.Text);
            var blob = command.Parameters.Add("$blob", SqliteType.Text);
            var size = command.Parameters.Add("$size", SqliteType.Integer);
            var sha = command.Parameters.Add("$sha", SqliteType.Text);
            var addedAt = command.Parameters.Add("$addedAt", SqliteType.Text);
            var metadata = command.Parameters.Add("$metadata", SqliteType.Blob);
            command.Prepare();
            foreach (var item in entries)
            {
                var e = item.Entry;
                series.Value = e.SeriesInstanceUid;
                sop.Value = e.SopInstanceUid;
                sopClass.Value = e.SopClassUid;
                ts.Value = e.TransferSyntaxUid;
                blob.Value = e.BlobKey;
                size.Value = e.Size;
                sha.Value = e.Sha256;
                addedAt.Value = item.AddedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                metadata.Value = item.MetadataJson.ToArray();
                try
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (SqliteException ex) when (ex.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
                {
                    throw new CatalogueConflictException($"SOP Instance {e.SopInstanceUid} is already in the catalogue of the study.", ex);
                }
            }
            if (archiveWork is { Count: > 0 })
                await EnqueueArchiveWorkAsync(connection, transaction, archiveWork, cancellationToken);
            // synchronous=FULL: the commit returns after the WAL is fsynced.
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<int> WriteMetadataArrayAsync(string tenantId, string studyInstanceUid, string? seriesInstanceUid, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var connection = _dataSource.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = seriesInstanceUid is null
            ? "SELECT MetadataJson FROM StudyInstances WHERE TenantId = $tenant AND StudyInstanceUid = $study ORDER BY Seq"
            : "SELECT MetadataJson FROM StudyInstances WHERE TenantId = $tenant AND StudyInstanceUid = $study AND SeriesInstanceUid = $series ORDER BY Seq";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$study", studyInstanceUid);
        if (seriesInstanceUid is not null)
        {
            command.Parameters.AddWithValue("$series", seriesInstanceUid);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var count = 0;
        destination.WriteByte((byte)'[');
        while (await reader.ReadAsync(cancellationToken))
        {
            if (count++ > 0)
            {
                destination.WriteByte((byte)',');
            }
            await using var value = reader.GetStream(0);
            await value.CopyToAsync(destination, cancellationToken);
        }
        destination.WriteByte((byte)']');
        return count;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _writerGate.Dispose();
        _dataSource.Dispose();
    }
}
