using Orleans.TestingHost;
using OrleansImaging.Silo;

namespace OrleansImaging.Grains.Tests.Cluster;

/// <summary>
/// An in-process single-silo cluster with the real storage: Orleans ADO.NET grain storage and the study catalogue
/// on SQLite files in a temporary directory, the caller filter, our own schema.
/// </summary>
public sealed class ImagingClusterFixture : IAsyncLifetime
{
    public const string ServiceId = "orleans-imaging-tests";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("oi-grains-").FullName;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public ImagingSiloOptions SiloOptions => new() { DataDirectory = DataDirectory, ServiceId = ServiceId };

    public async Task InitializeAsync() => Cluster = await StartAsync(DataDirectory);

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    /// <summary>Starts a cluster on the files in <paramref name="dataDirectory"/> (a restart when they exist).</summary>
    public static async Task<InProcessTestCluster> StartAsync(string dataDirectory)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ServiceId;
        builder.ConfigureSilo((_, silo) => silo.AddImagingGrains(new ImagingSiloOptions { DataDirectory = dataDirectory, ServiceId = ServiceId }));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

[CollectionDefinition(Name)]
public sealed class ImagingClusterCollection : ICollectionFixture<ImagingClusterFixture>
{
    public const string Name = "Imaging cluster";
}
