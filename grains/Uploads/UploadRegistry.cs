using Microsoft.Data.Sqlite;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Uploads;

/// <summary>An upload the sweeper should look at once <see cref="CheckAfter"/> has passed.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="UploadId">The upload id.</param>
/// <param name="CheckAfter">The earliest time it can have expired.</param>
public sealed record RegisteredUpload(string TenantId, string UploadId, DateTimeOffset CheckAfter);

/// <summary>
/// Which uploads exist, so the sweeper can find the ones nobody asks about again without listing grain storage or the
/// blob store (which also holds every study's objects). One row per upload: written when it is created and removed
/// when it ends; nothing per chunk.
/// </summary>
public interface IUploadRegistry
{
    /// <summary>Records a new upload (before its grain state is written: a row without an upload is swept as gone).</summary>
    Task RegisterAsync(string tenantId, string uploadId, DateTimeOffset checkAfter, CancellationToken cancellationToken = default);

    /// <summary>Moves the time the sweeper looks again (the upload received chunks since).</summary>
    Task PostponeAsync(string tenantId, string uploadId, DateTimeOffset checkAfter, CancellationToken cancellationToken = default);

    /// <summary>Forgets an upload that ended.</summary>
    Task ForgetAsync(string tenantId, string uploadId, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> uploads due at <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<RegisteredUpload>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);
}

/// <summary>
/// <see cref="IUploadRegistry"/> as a table in the grain state's SQLite file (<c>grains.db</c>): the uploads are grain
/// state's bookkeeping, and that file already carries the durability settings grain state is written with.
/// </summary>
public sealed class SqliteUploadRegistry : IUploadRegistry
{
    private readonly SqliteDataSource _dataSource;

    /// <summary>Creates the table if it is missing.</summary>
    public SqliteUploadRegistry(SqliteDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        using var connection = _dataSource.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS UploadRegistry (
                TenantId TEXT NOT NULL,
                UploadId TEXT NOT NULL,
                CheckAfter INTEGER NOT NULL,
                PRIMARY KEY (TenantId, UploadId)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS UploadRegistryDue ON UploadRegistry (CheckAfter);
            """;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public Task RegisterAsync(string tenantId, string uploadId, DateTimeOffset checkAfter, CancellationToken cancellationToken = default) =>
        ExecuteAsync("INSERT INTO UploadRegistry (TenantId, UploadId, CheckAfter) VALUES ($t, $u, $c) ON CONFLICT DO UPDATE SET CheckAfter = excluded.CheckAfter;",
            tenantId, uploadId, checkAfter, cancellationToken);

    /// <inheritdoc/>
    public Task PostponeAsync(string tenantId, string uploadId, DateTimeOffset checkAfter, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE UploadRegistry SET CheckAfter = $c WHERE TenantId = $t AND UploadId = $u;", tenantId, uploadId, checkAfter, cancellationToken);

    /// <inheritdoc/>
    public Task ForgetAsync(string tenantId, string uploadId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM UploadRegistry WHERE TenantId = $t AND UploadId = $u;", tenantId, uploadId, null, cancellationToken);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RegisteredUpload>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = _dataSource.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT TenantId, UploadId, CheckAfter FROM UploadRegistry WHERE CheckAfter <= $now ORDER BY CheckAfter LIMIT $limit;";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        var due = new List<RegisteredUpload>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            due.Add(new RegisteredUpload(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        return due;
    }

    private async Task ExecuteAsync(string sql, string tenantId, string uploadId, DateTimeOffset? checkAfter, CancellationToken cancellationToken)
    {
        await using var connection = _dataSource.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$t", tenantId);
        command.Parameters.AddWithValue("$u", uploadId);
        if (checkAfter is { } at)
            command.Parameters.AddWithValue("$c", at.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
