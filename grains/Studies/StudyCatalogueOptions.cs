namespace OrleansImaging.Grains.Studies;

/// <summary>Where and how the SQLite study catalogue is kept.</summary>
public sealed class StudyCatalogueOptions
{
    /// <summary>The SQLite database file.</summary>
    /// <value>No default: the silo host puts it under the data directory.</value>
    public string DatabasePath { get; set; } = "";

    /// <summary>What a committed append survives.</summary>
    /// <value><see cref="SqliteSynchronous.Full"/>: a success response must mean the entry survives a power loss too,
    /// and nothing rebuilds the catalogue from the blobs yet.</value>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>How long a statement waits for another writer's lock before failing.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws if the options cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            throw new ArgumentException("StudyCatalogueOptions.DatabasePath is required.");
        }
        if (!Enum.IsDefined(Synchronous))
        {
            throw new ArgumentException($"StudyCatalogueOptions.Synchronous {Synchronous} is not Full or Normal.");
        }
        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException("StudyCatalogueOptions.BusyTimeout must be between 0 and 5 minutes.");
        }
    }
}
