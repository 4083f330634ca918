using OrleansImaging.Grains.Index;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Storage;
using OrleansImaging.Grains;
using OrleansImaging.Grains.Authorization;
using OrleansImaging.Grains.Storage;
using OrleansImaging.Grains.Studies;

namespace OrleansImaging.Silo;

/// <summary>Adds our grains' storage, catalogue and caller filter to a silo; the api host co-hosts this silo.</summary>
public static class ImagingSiloBuilderExtensions
{
    /// <summary>
    /// The embedded default: one silo on localhost clustering (there is no SQLite clustering provider) plus
    /// <see cref="AddImagingGrains"/>.
    /// </summary>
    public static ISiloBuilder UseImagingEmbedded(this ISiloBuilder builder, ImagingSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        return builder.AddImagingGrains(options);
    }

    /// <summary>
    /// Grain storage (Orleans ADO.NET on SQLite, <c>grains.db</c>), the study catalogue (<c>catalogue.db</c>), the
    /// caller filter and a <see cref="TimeProvider"/>; clustering is left to the caller (the embedded default, a
    /// test cluster). Creates the data directory and schema now, so a broken setup fails at start, not at the
    /// first request.
    /// </summary>
    public static ISiloBuilder AddImagingGrains(this ISiloBuilder builder, ImagingSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        PrivateDirectory.Ensure(options.DataDirectory);

        var grainState = new SqliteDataSource(options.GrainStateDatabasePath, options.Synchronous, options.BusyTimeout);
        GrainStateSchema.Apply(grainState);

        builder.Services.Configure<ClusterOptions>(cluster => cluster.ServiceId = options.ServiceId);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IStudyCatalogue>(_ => new SqliteStudyCatalogue(new StudyCatalogueOptions
        {
            DatabasePath = options.CatalogueDatabasePath,
            Synchronous = options.Synchronous,
            BusyTimeout = options.BusyTimeout,
        }));
        builder.Services.AddSingleton<IQueryIndex>(_ => new SqliteQueryIndex(new SqliteQueryIndexOptions
        {
            DataDirectory = Path.GetFullPath(options.DataDirectory),
            BusyTimeout = options.BusyTimeout,
        }));
        // Archive compression: codec workers on this silo, fed from the durable queue in the catalogue.
        builder.Services.TryAddSingleton<Grains.Storage.IBlobStore>(_ => new Grains.Storage.FileSystemBlobStore(
            new Grains.Storage.FileSystemBlobStoreOptions { RootPath = Path.Combine(Path.GetFullPath(options.DataDirectory), "blobs") }));
        builder.Services.TryAddSingleton<Dicom.Codecs.IDicomCodec>(_ => new Dicom.Codecs.DicomCodecs());
        builder.Services.AddSingleton(new Grains.Archive.CodecWorkerOptions(Path.Combine(Path.GetFullPath(options.DataDirectory), "tmp", "codec")));
        builder.Services.AddSingleton<Grains.Archive.ArchiveCompressionScheduler>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<Grains.Archive.ArchiveCompressionScheduler>());
        // Resumable uploads: which exist (grains.db), and the hourly sweep of those that expired unclaimed.
        builder.Services.AddSingleton<Grains.Uploads.IUploadRegistry>(_ => new Grains.Uploads.SqliteUploadRegistry(grainState));
        builder.Services.TryAddSingleton(new Grains.Uploads.UploadOptions());
        builder.Services.AddSingleton<Grains.Uploads.UploadSweeper>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<Grains.Uploads.UploadSweeper>());
        builder.AddIncomingGrainCallFilter<CallerRequiredFilter>();
        builder.AddAdoNetGrainStorage(StorageNames.Provider, optionsBuilder => optionsBuilder.Configure<Orleans.Serialization.Serializer>((storage, serializer) =>
        {
            // "System.Data.SQLite" is the invariant Orleans maps to Microsoft.Data.Sqlite ("Microsoft.Data.Sqlite" itself
            // fails at start); the data source adds busy_timeout and synchronous to every connection Orleans opens.
            storage.Invariant = "System.Data.SQLite";
            storage.DataSource = grainState;
            // Orleans' binary serializer: our state records already carry the [Id] contract that keeps them readable
            // across versions (house rule 3), it is compact, and it writes no type names. Chosen now because rows
            // written with one serializer cannot be read with another.
            storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        return builder;
    }
}
