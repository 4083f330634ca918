using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using OrleansImaging.Grains.Studies;

namespace OrleansImaging.Grains.Storage;

/// <summary>
/// Opens connections to one SQLite file with the per-connection PRAGMAs the connection string cannot carry
/// (<c>busy_timeout</c>, <c>synchronous</c>). Handed to Orleans as <c>AdoNetGrainStorageOptions.DataSource</c> and
/// used by the study catalogue, so both write with the same durability. WAL is a property of the file, set once by
/// <see cref="EnableWal"/>.
/// </summary>
public sealed class SqliteDataSource : DbDataSource
{
    private readonly string _pragmas;

    /// <summary>Creates a data source for the file at <paramref name="databasePath"/>.</summary>
    public SqliteDataSource(string databasePath, SqliteSynchronous synchronous, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
        _pragmas = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")};");
    }

    /// <inheritdoc/>
    public override string ConnectionString { get; }

    /// <summary>Opens a connection with the PRAGMAs applied.</summary>
    public SqliteConnection Open()
    {
        var connection = (SqliteConnection)CreateDbConnection();
        connection.Open();
        return connection;
    }

    /// <summary>Switches the file to write-ahead logging (persistent: it stays WAL for every later connection).</summary>
    public void EnableWal()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = (string?)command.ExecuteScalar();
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {connection.DataSource} (journal_mode is {mode}).");
        }
    }

    /// <inheritdoc/>
    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        // Orleans opens the connections it gets from here itself (Open or OpenAsync): hook the open, whichever it is.
        connection.StateChange += ApplyPragmas;
        return connection;
    }

    private void ApplyPragmas(object sender, StateChangeEventArgs e)
    {
        if (e.CurrentState == ConnectionState.Open && e.OriginalState != ConnectionState.Open)
        {
            using var command = ((SqliteConnection)sender).CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }
    }
}
