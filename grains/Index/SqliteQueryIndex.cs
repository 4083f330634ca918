using System.Globalization;
using Microsoft.Data.Sqlite;
using OrleansImaging.Dicom.Text;

namespace OrleansImaging.Grains.Index;

/// <summary>
/// The query index in one SQLite file (the embedded default). Three tables — studies, series,
/// instances — each keyed by tenant first; the study and series rows carry their counts and the
/// study's modalities, updated in the same transaction as the instances, so a study-level query
/// reads study rows only, however many instances a study has. Text to match is stored normalized
/// (upper-case person-name groups, <c>YYYYMMDD</c> dates, <c>HHMMSS.FFFFFF</c> times); wildcards
/// become GLOB patterns, where <c>%</c> and <c>_</c> mean nothing. Every value reaches SQLite as a
/// parameter. The SQL sticks to what PostgreSQL also speaks (ON CONFLICT upserts, EXISTS, plain
/// joins) so that a PostgreSQL implementation can follow with LIKE … ESCAPE in place of GLOB.
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite's async methods complete synchronously (SQLite has no async I/O), so a
/// commit's fsync holds the calling thread. Writers of this process therefore queue on a semaphore
/// rather than on SQLite's busy handler, and callers should batch: one transaction per request.
/// </remarks>
public sealed partial class SqliteQueryIndex : IQueryIndex, IDisposable
{
    private const int SchemaVersion = 1;

    private readonly SqliteQueryIndexOptions _options;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Creates the index over <see cref="SqliteQueryIndexOptions.DatabasePath"/>; the file and schema are made on first use.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public SqliteQueryIndex(SqliteQueryIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    /// <inheritdoc />
    public async Task UpsertAsync(IReadOnlyList<IndexedInstance> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var instance in batch)
            Validate(instance);
        if (batch.Count == 0)
            return;
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await new BatchWriter(connection, transaction).WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw new QueryIndexException($"The query index could not store a batch of {batch.Count} instances: {ex.Message}", ex);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteStudyAsync(string tenantId, string studyInstanceUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(studyInstanceUid);
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var deleted = 0;
            foreach (var table in new[] { "instances", "series", "studies" })
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                // The table name is one of three constants above, never input.
                command.CommandText = $"DELETE FROM {table} WHERE tenant = @tenant AND study_uid = @study";
                command.Parameters.AddWithValue("@tenant", tenantId);
                command.Parameters.AddWithValue("@study", studyInstanceUid);
                deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return deleted > 0;
        }
        catch (SqliteException ex)
        {
            throw new QueryIndexException($"The query index could not delete a study: {ex.Message}", ex);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Closes this file's pooled connections and releases the semaphores.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
            SqliteConnection.ClearPool(connection);
        _writer.Dispose();
        _schemaLock.Dispose();
    }

    private static void Validate(IndexedInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (string.IsNullOrWhiteSpace(instance.TenantId) || string.IsNullOrWhiteSpace(instance.StudyInstanceUid)
            || string.IsNullOrWhiteSpace(instance.SeriesInstanceUid) || string.IsNullOrWhiteSpace(instance.SopInstanceUid))
            throw new QueryIndexException("An indexed instance needs a tenant and its study, series and SOP instance UIDs.");
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
            await CreateSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            // Per connection, since they are not kept in the file. PRAGMAs take no parameters; the
            // number is our own option's, not input. FULL: a commit survives a power loss in WAL mode.
            command.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;");
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
                return;
            Directory.CreateDirectory(_options.DataDirectory);
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (var version = connection.CreateCommand())
            {
                version.CommandText = "PRAGMA user_version";
                var existing = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                if (existing > SchemaVersion)
                    throw new QueryIndexException($"The query index file {_options.DatabasePath} has schema version {existing}; this build knows up to {SchemaVersion}.");
            }
            await using (var command = connection.CreateCommand())
            {
                // WAL is a property of the file: set once, it stays. Readers then never wait for the writer.
                command.CommandText = "PRAGMA journal_mode = WAL;" + Schema + $"PRAGMA user_version = {SchemaVersion};";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            _schemaReady = true;
        }
        catch (SqliteException ex)
        {
            throw new QueryIndexException($"The query index file {_options.DatabasePath} could not be opened: {ex.Message}", ex);
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    // Text columns are NOT NULL with '' for "absent", so comparisons need no NULL cases; the
    // person-name columns hold the raw decoded value and its upper-cased match keys (whole name and
    // each group). Integers stay NULL when absent, and sort first.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS studies (
            tenant TEXT NOT NULL,
            study_uid TEXT NOT NULL,
            patient_id TEXT NOT NULL,
            patient_name TEXT NOT NULL,
            patient_name_key TEXT NOT NULL,
            patient_name_alphabetic TEXT NOT NULL,
            patient_name_ideographic TEXT NOT NULL,
            patient_name_phonetic TEXT NOT NULL,
            patient_birth_date TEXT NOT NULL,
            patient_sex TEXT NOT NULL,
            study_date TEXT NOT NULL,
            study_time TEXT NOT NULL,
            accession_number TEXT NOT NULL,
            study_id TEXT NOT NULL,
            study_description TEXT NOT NULL,
            referring_physician_name TEXT NOT NULL,
            referring_physician_name_key TEXT NOT NULL,
            referring_physician_name_alphabetic TEXT NOT NULL,
            referring_physician_name_ideographic TEXT NOT NULL,
            referring_physician_name_phonetic TEXT NOT NULL,
            modalities TEXT NOT NULL DEFAULT '',
            series_count INTEGER NOT NULL DEFAULT 0,
            instance_count INTEGER NOT NULL DEFAULT 0,
            attributes_json TEXT NOT NULL,
            PRIMARY KEY (tenant, study_uid)
        );
        CREATE INDEX IF NOT EXISTS studies_by_patient_id ON studies (tenant, patient_id);
        CREATE INDEX IF NOT EXISTS studies_by_date ON studies (tenant, study_date, study_time);
        CREATE INDEX IF NOT EXISTS studies_by_accession ON studies (tenant, accession_number);
        CREATE INDEX IF NOT EXISTS studies_by_patient_name ON studies (tenant, patient_name_alphabetic);

        CREATE TABLE IF NOT EXISTS series (
            tenant TEXT NOT NULL,
            study_uid TEXT NOT NULL,
            series_uid TEXT NOT NULL,
            modality TEXT NOT NULL,
            series_number INTEGER,
            series_description TEXT NOT NULL,
            body_part_examined TEXT NOT NULL,
            pps_start_date TEXT NOT NULL,
            pps_start_time TEXT NOT NULL,
            instance_count INTEGER NOT NULL DEFAULT 0,
            attributes_json TEXT NOT NULL,
            PRIMARY KEY (tenant, study_uid, series_uid)
        );
        CREATE INDEX IF NOT EXISTS series_by_uid ON series (tenant, series_uid);

        CREATE TABLE IF NOT EXISTS instances (
            tenant TEXT NOT NULL,
            study_uid TEXT NOT NULL,
            series_uid TEXT NOT NULL,
            sop_uid TEXT NOT NULL,
            sop_class_uid TEXT NOT NULL,
            instance_number INTEGER,
            row_count INTEGER,
            column_count INTEGER,
            bits_allocated INTEGER,
            number_of_frames INTEGER,
            transfer_syntax_uid TEXT NOT NULL,
            blob_key TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            attributes_json TEXT NOT NULL,
            PRIMARY KEY (tenant, sop_uid)
        );
        CREATE INDEX IF NOT EXISTS instances_by_series ON instances (tenant, study_uid, series_uid, instance_number, sop_uid);
        """;

    /// <summary>The person-name columns' values for a decoded PN: raw, whole key, and one key per group.</summary>
    internal static (string Raw, string Key, string Alphabetic, string Ideographic, string Phonetic) PersonNameColumns(string raw)
    {
        var name = DicomPersonName.Parse(raw);
        return (raw, IndexKeys.PersonNameKey(name), IndexKeys.PersonNameGroupKey(name.Alphabetic),
            IndexKeys.PersonNameGroupKey(name.Ideographic), IndexKeys.PersonNameGroupKey(name.Phonetic));
    }
}
