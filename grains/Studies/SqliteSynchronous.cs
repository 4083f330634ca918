namespace OrleansImaging.Grains.Studies;

/// <summary>SQLite's <c>PRAGMA synchronous</c> for a WAL database: what a committed transaction survives.</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit fsyncs the WAL: survives a process kill and a power loss.</summary>
    Full = 0,

    /// <summary>
    /// Commits are fsynced at checkpoints only: survives a process kill but may lose the last commits on power
    /// loss. Only for data that can be rebuilt (from the blobs).
    /// </summary>
    Normal = 1,
}
