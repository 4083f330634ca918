namespace OrleansImaging.Grains.Index;

/// <summary>Options for <see cref="SqliteQueryIndex"/> (the embedded default's query index).</summary>
public sealed class SqliteQueryIndexOptions
{
    /// <summary>The folder holding the index file (the embedded host passes <c>$IMAGING_DATA</c>); created if missing.</summary>
    /// <value>Required; no default.</value>
    public string DataDirectory { get; set; } = "";

    /// <summary>The index file's name inside <see cref="DataDirectory"/>.</summary>
    /// <value><c>query-index.sqlite</c>.</value>
    public string FileName { get; set; } = "query-index.sqlite";

    /// <summary>
    /// How long a statement waits for another process's write lock before failing (SQLite's
    /// busy_timeout). Writers of this process queue on a semaphore instead and never spin on it.
    /// </summary>
    /// <value>5 seconds. Between 0 and 10 minutes.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The index file's full path.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, FileName);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new ArgumentException($"{nameof(SqliteQueryIndexOptions)}.{nameof(DataDirectory)} is required.", nameof(DataDirectory));
        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || FileName is "." or "..")
            throw new ArgumentException($"{nameof(SqliteQueryIndexOptions)}.{nameof(FileName)} must be a plain file name; it is '{FileName}'.", nameof(FileName));
        if (BusyTimeout < TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(10))
            throw new ArgumentException($"{nameof(SqliteQueryIndexOptions)}.{nameof(BusyTimeout)} must be between 0 and 10 minutes; it is {BusyTimeout}.", nameof(BusyTimeout));
    }
}
