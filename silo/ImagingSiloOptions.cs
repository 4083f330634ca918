using OrleansImaging.Grains.Studies;

namespace OrleansImaging.Silo;

/// <summary>How the silo of the embedded default (or of a test) stores its grains.</summary>
public sealed class ImagingSiloOptions
{
    /// <summary>The environment variable that names the data directory.</summary>
    public const string DataDirectoryVariable = "IMAGING_DATA";

    /// <summary>Where the SQLite files live (<c>grains.db</c> for grain state, <c>catalogue.db</c> for study catalogues).</summary>
    /// <value><c>$IMAGING_DATA</c> if set, else <c>data</c> under the current directory.</value>
    public string DataDirectory { get; set; } =
        Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : "data";

    /// <summary>
    /// Orleans' service id: part of every grain-state row's key, so it must stay the same across restarts and
    /// upgrades of one deployment, and differ between deployments sharing a database.
    /// </summary>
    /// <value><c>orleans-imaging</c>.</value>
    public string ServiceId { get; set; } = "orleans-imaging";

    /// <summary>Orleans' cluster id (silos with the same id form one cluster; may change between deployments).</summary>
    /// <value><c>embedded</c>.</value>
    public string ClusterId { get; set; } = "embedded";

    /// <summary>The silo-to-silo port of localhost clustering.</summary>
    /// <value>11111 (Orleans' default).</value>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The client gateway port of localhost clustering; 0 opens no gateway.</summary>
    /// <value>0: the embedded default's api is co-hosted and calls grains in-process, so nothing needs a gateway, and an
    /// open one is a door for every local process (S2.1, S2.5).</value>
    public int GatewayPort { get; set; }

    /// <summary>What a committed grain-state write or catalogue append survives.</summary>
    /// <value><see cref="SqliteSynchronous.Full"/>: a success means the data survives a power loss as well as a
    /// kill; nothing can rebuild the catalogue from the blobs yet, which is what would make NORMAL safe.</value>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>How long a SQLite statement waits for another writer's lock.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The grain-state database file.</summary>
    public string GrainStateDatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), "grains.db");

    /// <summary>The study catalogue database file.</summary>
    public string CatalogueDatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), "catalogue.db");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("ImagingSiloOptions.DataDirectory is required (set IMAGING_DATA).");
        }
        // Orleans' storage table holds ServiceId in a column the other providers' scripts size at 150.
        if (string.IsNullOrWhiteSpace(ServiceId) || ServiceId.Length > 150)
        {
            throw new ArgumentException("ImagingSiloOptions.ServiceId is required, at most 150 characters.");
        }
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("ImagingSiloOptions.ClusterId is required.");
        }
        if (SiloPort is < 1 or > 65535 || GatewayPort is < 0 or > 65535 || SiloPort == GatewayPort)
        {
            throw new ArgumentException("ImagingSiloOptions.SiloPort must be a port in 1–65535 and GatewayPort 0 (none) or another port.");
        }
        if (!Enum.IsDefined(Synchronous))
        {
            throw new ArgumentException($"ImagingSiloOptions.Synchronous {Synchronous} is not Full or Normal.");
        }
        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException("ImagingSiloOptions.BusyTimeout must be between 0 and 5 minutes.");
        }
    }
}
