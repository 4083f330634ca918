using System.Globalization;
using Microsoft.Data.Sqlite;
using OrleansImaging.Contracts.Archive;

namespace OrleansImaging.Grains.Studies;

/// <summary>
/// The archive compression side of the catalogue: the durable work queue (<c>ArchiveWork</c>, in the same file as the
/// instances, so queueing costs no extra commit) and the swap of an original for its compressed object.
/// </summary>
public sealed partial class SqliteStudyCatalogue
{
    private const string ArchiveSchema = """

        CREATE TABLE IF NOT EXISTS ArchiveWork (
            Seq                     INTEGER PRIMARY KEY,
            TenantId                TEXT    NOT NULL,
            StudyInstanceUid        TEXT    NOT NULL,
            SeriesInstanceUid       TEXT    NOT NULL,
            SopInstanceUid          TEXT    NOT NULL,
            TargetTransferSyntaxUid TEXT    NOT NULL,
            Attempts                INTEGER NOT NULL DEFAULT 0,
            LastError               TEXT,
            NotBefore               TEXT,
            UNIQUE (TenantId, StudyInstanceUid, SopInstanceUid)
        );
        """;

    /// <summary>Catalogues written before archive compression existed lack the two columns of the original; they are added.</summary>
    private static void AddArchiveColumns(SqliteConnection connection)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT name FROM pragma_table_info('StudyInstances')";
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var reader = columns.ExecuteReader())
        {
            while (reader.Read())
                names.Add(reader.GetString(0));
        }
        foreach (var (name, type) in new[] { ("OriginalSha256", "TEXT"), ("OriginalSize", "INTEGER") })
        {
            if (names.Contains(name))
                continue;
            using var alter = connection.CreateCommand();
            alter.CommandText = $"ALTER TABLE StudyInstances ADD COLUMN {name} {type}";
            alter.ExecuteNonQuery();
        }
    }

    private static async Task EnqueueArchiveWorkAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<ArchiveWorkItem> work, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR IGNORE INTO ArchiveWork (TenantId, StudyInstanceUid, SeriesInstanceUid, SopInstanceUid, TargetTransferSyntaxUid)
            VALUES ($tenant, $study, $series, $sop, $ts)
            """;
        var tenant = command.Parameters.Add("$tenant", SqliteType.Text);
        var study = command.Parameters.Add("$study", SqliteType.Text);
        var series = command.Parameters.Add("$series", SqliteType.Text);
        var sop = command.Parameters.Add("$sop", SqliteType.Text);
        var ts = command.Parameters.Add("$ts", SqliteType.Text);
        command.Prepare();
        foreach (var item in work)
        {
            tenant.Value = item.TenantId;
            study.Value = item.StudyInstanceUid;
            series.Value = item.SeriesInstanceUid;
            sop.Value = item.SopInstanceUid;
            ts.Value = item.TargetTransferSyntaxUid;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ReplaceAsync(string tenantId, string studyInstanceUid, ArchiveReplacement replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = _dataSource.Open();
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            // Every right-hand side reads the row as it was, so the original's hash and size are taken before the swap
            // (and kept on a second swap). The metadata's stored Transfer Syntax UID follows the object; an encapsulated
            // Pixel Data is OB.
            update.CommandText = """
                UPDATE StudyInstances SET
                    OriginalSha256 = COALESCE(OriginalSha256, Sha256),
                    OriginalSize = COALESCE(OriginalSize, Size),
                    TransferSyntaxUid = $ts, BlobKey = $blob, Size = $size, Sha256 = $sha,
                    MetadataJson = CAST(CASE
                        WHEN json_type(CAST(MetadataJson AS TEXT), '$."7FE00010"') IS NOT NULL
                        THEN json_set(CAST(MetadataJson AS TEXT), '$."00020010".Value[0]', $ts, '$."7FE00010".vr', 'OB')
                        ELSE json_set(CAST(MetadataJson AS TEXT), '$."00020010".Value[0]', $ts) END AS BLOB)
                WHERE TenantId = $tenant AND StudyInstanceUid = $study AND SopInstanceUid = $sop AND Sha256 = $expected
                """;
            update.Parameters.AddWithValue("$ts", replacement.TransferSyntaxUid);
            update.Parameters.AddWithValue("$blob", replacement.BlobKey);
            update.Parameters.AddWithValue("$size", replacement.Size);
            update.Parameters.AddWithValue("$sha", replacement.Sha256);
            update.Parameters.AddWithValue("$tenant", tenantId);
            update.Parameters.AddWithValue("$study", studyInstanceUid);
            update.Parameters.AddWithValue("$sop", replacement.SopInstanceUid);
            update.Parameters.AddWithValue("$expected", replacement.ExpectedSha256);
            var replaced = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (replaced)
                await DeleteWorkAsync(connection, transaction, tenantId, studyInstanceUid, replacement.SopInstanceUid, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return replaced;
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]?> ReadMetadataAsync(string tenantId, string studyInstanceUid, string sopInstanceUid, CancellationToken cancellationToken = default)
    {
        await using var connection = _dataSource.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MetadataJson FROM StudyInstances WHERE TenantId = $tenant AND StudyInstanceUid = $study AND SopInstanceUid = $sop";
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$study", studyInstanceUid);
        command.Parameters.AddWithValue("$sop", sopInstanceUid);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ArchiveWorkItem>> TakeArchiveWorkAsync(int max, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = _dataSource.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT TenantId, StudyInstanceUid, SeriesInstanceUid, SopInstanceUid, TargetTransferSyntaxUid, Attempts
            FROM ArchiveWork WHERE Attempts < $max AND (NotBefore IS NULL OR NotBefore <= $now) ORDER BY Seq LIMIT $limit
            """;
        command.Parameters.AddWithValue("$max", maxAttempts);
        command.Parameters.AddWithValue("$now", Timestamp(now));
        command.Parameters.AddWithValue("$limit", max);
        var items = new List<ArchiveWorkItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            items.Add(new ArchiveWorkItem(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
        return items;
    }

    /// <inheritdoc/>
    public async Task<int> RecordArchiveFailureAsync(string tenantId, string studyInstanceUid, string sopInstanceUid, string error, DateTimeOffset notBefore, int? giveUpAt = null, CancellationToken cancellationToken = default)
    {
        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = _dataSource.Open();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE ArchiveWork SET Attempts = MAX(Attempts + 1, COALESCE($giveUpAt, 0)), LastError = $error, NotBefore = $notBefore
                WHERE TenantId = $tenant AND StudyInstanceUid = $study AND SopInstanceUid = $sop
                RETURNING Attempts
                """;
            command.Parameters.AddWithValue("$error", error.Length > 1000 ? error[..1000] : error);
            command.Parameters.AddWithValue("$notBefore", Timestamp(notBefore));
            command.Parameters.AddWithValue("$giveUpAt", giveUpAt is { } g ? g : DBNull.Value);
            command.Parameters.AddWithValue("$tenant", tenantId);
            command.Parameters.AddWithValue("$study", studyInstanceUid);
            command.Parameters.AddWithValue("$sop", sopInstanceUid);
            return await command.ExecuteScalarAsync(cancellationToken) is long attempts ? (int)attempts : 0;
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task DropArchiveWorkAsync(string tenantId, string studyInstanceUid, string sopInstanceUid, CancellationToken cancellationToken = default)
    {
        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = _dataSource.Open();
            await using var transaction = connection.BeginTransaction(deferred: false);
            await DeleteWorkAsync(connection, transaction, tenantId, studyInstanceUid, sopInstanceUid, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<ArchiveStatus> GetArchiveStatusAsync(string tenantId, string studyInstanceUid, int maxAttempts, CancellationToken cancellationToken = default)
    {
        await using var connection = _dataSource.Open();
        await using var counts = connection.CreateCommand();
        counts.CommandText = """
            SELECT
                (SELECT COUNT(*) FROM ArchiveWork WHERE TenantId = $tenant AND StudyInstanceUid = $study AND Attempts < $max),
                (SELECT COUNT(*) FROM StudyInstances WHERE TenantId = $tenant AND StudyInstanceUid = $study AND OriginalSha256 IS NOT NULL)
            """;
        counts.Parameters.AddWithValue("$tenant", tenantId);
        counts.Parameters.AddWithValue("$study", studyInstanceUid);
        counts.Parameters.AddWithValue("$max", maxAttempts);
        int pending, compressed;
        await using (var reader = await counts.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            pending = reader.GetInt32(0);
            compressed = reader.GetInt32(1);
        }
        await using var failed = connection.CreateCommand();
        failed.CommandText = """
            SELECT SopInstanceUid, Attempts, COALESCE(LastError, '') FROM ArchiveWork
            WHERE TenantId = $tenant AND StudyInstanceUid = $study AND Attempts >= $max ORDER BY Seq LIMIT 100
            """;
        failed.Parameters.AddWithValue("$tenant", tenantId);
        failed.Parameters.AddWithValue("$study", studyInstanceUid);
        failed.Parameters.AddWithValue("$max", maxAttempts);
        var failures = new List<ArchiveFailure>();
        await using (var reader = await failed.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                failures.Add(new ArchiveFailure(reader.GetString(0), reader.GetInt32(1), reader.GetString(2)));
        }
        return new ArchiveStatus(pending, compressed, failures);
    }

    private static async Task DeleteWorkAsync(SqliteConnection connection, SqliteTransaction transaction, string tenantId, string studyInstanceUid, string sopInstanceUid, CancellationToken cancellationToken)
    {
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM ArchiveWork WHERE TenantId = $tenant AND StudyInstanceUid = $study AND SopInstanceUid = $sop";
        delete.Parameters.AddWithValue("$tenant", tenantId);
        delete.Parameters.AddWithValue("$study", studyInstanceUid);
        delete.Parameters.AddWithValue("$sop", sopInstanceUid);
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
