using System.Reflection;
using Microsoft.Data.Sqlite;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Silo;

/// <summary>
/// Creates the grain-state database and applies our SQL (<c>Sql/*.sql</c>, embedded) on first start. The NuGet
/// packages ship no schema and Orleans reads its queries from the database, so the silo brings its own; the applied
/// step is recorded in <c>PRAGMA user_version</c>, so later steps (an Orleans upgrade's new queries) apply once each.
/// </summary>
public static class GrainStateSchema
{
    /// <summary>The schema steps, in order; step N sets user_version to N. Append, never edit a shipped one.</summary>
    private static readonly string[] Steps = ["001-orleans-query.sql", "002-orleans-persistence.sql"];

    /// <summary>The schema version this build applies.</summary>
    public static int Version => Steps.Length;

    /// <summary>Switches the file to WAL and applies the steps it has not seen, each in one transaction.</summary>
    public static void Apply(SqliteDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        dataSource.EnableWal();
        using var connection = dataSource.Open();
        var applied = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (applied > Steps.Length)
        {
            throw new InvalidOperationException(
                $"{connection.DataSource} has schema version {applied}, newer than this build's {Steps.Length}: refusing to run an older silo on it.");
        }
        for (var step = applied; step < Steps.Length; step++)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = ReadStep(Steps[step]) + $"\nPRAGMA user_version = {step + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static string ReadStep(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OrleansImaging.Silo.Sql." + name)
            ?? throw new InvalidOperationException($"The schema step {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
