using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

/// <summary>One folder store per test run, in a fresh temp folder; tests keep apart by key prefix.</summary>
public sealed class FileSystemBlobStoreFixture : IDisposable
{
    public FileSystemBlobStoreFixture()
    {
        Root = Directory.CreateTempSubdirectory("blobs-").FullName;
        Store = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Root });
    }

    public string Root { get; }

    public FileSystemBlobStore Store { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>One Azurite process per test run and a store on a container of its own.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite has not started.");

    public AzureBlobStore Store { get; private set; } = null!;

    public AzureBlobStore CreateStore(string containerName, int blockSize) =>
        new(new AzureBlobStoreOptions { ConnectionString = Azurite.ConnectionString, ContainerName = containerName, BlockSize = blockSize });

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync(TimeSpan.FromSeconds(60));
        // 1 MiB blocks (the smallest sensible; default 4 MiB) so the 5 MB cases go through several staged blocks.
        Store = CreateStore("contract", blockSize: 1024 * 1024);
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
            await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FileSystemBlobStoreCollection : ICollectionFixture<FileSystemBlobStoreFixture>
{
    public const string Name = "FileSystemBlobStore";
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
