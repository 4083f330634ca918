using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Grains.Tests.Storage;

public sealed class BlobStoreOptionsTests
{
    [Fact]
    public void FileSystemBlobStoreOptions_Defaults_AreValidOnceRootIsSet()
    {
        var options = new FileSystemBlobStoreOptions { RootPath = "/data/blobs" };

        options.Validate();

        Assert.Equal(64 * 1024, options.BufferSize);
        Assert.True(options.FlushToDisk);
    }

    [Theory]
    [InlineData("", 65536, "RootPath")]
    [InlineData("  ", 65536, "RootPath")]
    [InlineData("/x", 4095, "BufferSize")]
    [InlineData("/x", 16 * 1024 * 1024 + 1, "BufferSize")]
    public void FileSystemBlobStoreOptions_Invalid_NamesTheOption(string root, int bufferSize, string option)
    {
        var exception = Assert.Throws<ArgumentException>(() => new FileSystemBlobStoreOptions { RootPath = root, BufferSize = bufferSize }.Validate());

        Assert.Equal(option, exception.ParamName);
    }

    [Fact]
    public void AzureBlobStoreOptions_Defaults_AreValidOnceConnectionAndContainerAreSet()
    {
        var options = new AzureBlobStoreOptions { ConnectionString = "UseDevelopmentStorage=true", ContainerName = "blobs" };

        options.Validate();

        Assert.Equal(4 * 1024 * 1024, options.BlockSize);
        Assert.True(options.CreateContainerIfMissing);
    }

    [Theory]
    [InlineData("", "blobs", 4194304, "ConnectionString")]
    [InlineData("c", "", 4194304, "ContainerName")]
    [InlineData("c", "ab", 4194304, "ContainerName")]
    [InlineData("c", "Blobs", 4194304, "ContainerName")]
    [InlineData("c", "-blobs", 4194304, "ContainerName")]
    [InlineData("c", "blobs-", 4194304, "ContainerName")]
    [InlineData("c", "blo--bs", 4194304, "ContainerName")]
    [InlineData("c", "blob_s", 4194304, "ContainerName")]
    [InlineData("c", "blobs", 65535, "BlockSize")]
    [InlineData("c", "blobs", 100 * 1024 * 1024 + 1, "BlockSize")]
    public void AzureBlobStoreOptions_Invalid_NamesTheOption(string connectionString, string container, int blockSize, string option)
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            new AzureBlobStoreOptions { ConnectionString = connectionString, ContainerName = container, BlockSize = blockSize }.Validate());

        Assert.Equal(option, exception.ParamName);
    }

    [Fact]
    public void AzureBlobStoreOptions_ContainerNameOf63_IsValid() =>
        new AzureBlobStoreOptions { ConnectionString = "c", ContainerName = new string('a', 63) }.Validate();
}
