using Azure.Storage.Blobs;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture fixture) : BlobStoreContractTests
{
    protected override IBlobStore Store => fixture.Store;

    [Fact]
    public async Task PutAsync_AnyBody_StoresSha256AsBlobMetadata()
    {
        var data = TestData.Bytes(FiveMegabytes, seed: 21);
        var key = Key("metadata");

        await Store.PutAsync(key, new MemoryStream(data));

        var blob = new BlobContainerClient(fixture.Azurite.ConnectionString, fixture.Store.ContainerName).GetBlobClient(key);
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(TestData.Sha256(data), properties.Metadata[AzureBlobStore.Sha256MetadataKey]);
        Assert.Equal(data.Length, properties.ContentLength);
    }

    [Fact]
    public async Task PutAsync_NewContainer_CreatesItOnFirstWrite()
    {
        var store = fixture.CreateStore($"fresh-{Guid.NewGuid():N}", blockSize: 64 * 1024);

        var result = await store.PutAsync("a/b/c", new MemoryStream([1, 2, 3]));

        Assert.True(result.Created);
        Assert.Equal(["a/b/c"], await store.ListAsync().ToListAsync());
    }

    [Fact]
    public async Task GetInfoAsync_BlobWrittenByAnotherTool_HasNoSha256()
    {
        var key = Key("foreign");
        var blob = new BlobContainerClient(fixture.Azurite.ConnectionString, fixture.Store.ContainerName).GetBlobClient(key);
        await blob.UploadAsync(BinaryData.FromBytes([9, 9, 9]));

        Assert.Equal(new BlobInfo(3, Sha256: null), await Store.GetInfoAsync(key));
    }
}
