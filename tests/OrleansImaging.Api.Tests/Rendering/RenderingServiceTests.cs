using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansImaging.Api.Rendering;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom.Imaging;
using OrleansImaging.Grains.Storage;

namespace OrleansImaging.Api.Tests.Rendering;

/// <summary>
/// The render gate and the temporary copy: at most one render per processor at a time, a waiting render cancellable,
/// the copy private to this user and deleted afterwards. A real folder blob store; a renderer that holds its callers.
/// </summary>
public sealed class RenderingServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("render-service-").FullName;

    [Fact]
    public async Task RenderAsync_MoreThanProcessorCount_ExtraWaitsAndIsCancellable()
    {
        var blobs = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _root });
        var location = await StoreAsync(blobs, "tenant/1.2.3/1.2.3.4", [1, 2, 3, 4]);
        var renderer = new HoldingRenderer();
        using var service = new RenderingService(renderer, blobs, NullLogger<RenderingService>.Instance);
        var slots = Environment.ProcessorCount;

        var running = Enumerable.Range(0, slots).Select(_ => service.RenderAsync(location, new RenderRequest(), CancellationToken.None)).ToList();
        for (var i = 0; i < slots; i++)
            await renderer.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource();
        var extra = service.RenderAsync(location, new RenderRequest(), cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => extra);
        Assert.Equal(slots, renderer.Paths.Count);
        renderer.Release.SetResult();
        var results = await Task.WhenAll(running);
        Assert.All(results, r => Assert.Equal([1, 2, 3, 4], r.Content));
        Assert.All(renderer.Paths, path => Assert.False(File.Exists(path), path));
        Assert.All(renderer.Modes, mode => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode));
    }

    [Fact]
    public async Task RenderAsync_RendererFails_CopyDeletedAndSlotFreed()
    {
        var blobs = new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = _root });
        var location = await StoreAsync(blobs, "tenant/1.2.3/1.2.3.5", [9]);
        var renderer = new FailingRenderer();
        using var service = new RenderingService(renderer, blobs, NullLogger<RenderingService>.Instance);

        // More failures than slots: a slot leaked by a failure would make the last ones wait for ever.
        for (var i = 0; i < Environment.ProcessorCount + 2; i++)
        {
            var ex = await Assert.ThrowsAsync<DicomRenderException>(() => service.RenderAsync(location, new RenderRequest(), CancellationToken.None));
            Assert.Equal(DicomRenderFailure.DecodeFailed, ex.Failure);
        }
        Assert.All(renderer.Paths, path => Assert.False(File.Exists(path), path));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<InstanceLocation> StoreAsync(IBlobStore blobs, string key, byte[] content)
    {
        using var stream = new MemoryStream(content);
        await blobs.PutAsync(key, stream);
        return new InstanceLocation("1.2.3.1", key.Split('/')[^1], "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.2.1", key, content.Length, "");
    }

    /// <summary>Returns the temporary copy's bytes as the "image", once released; records each copy's path and mode.</summary>
    private sealed class HoldingRenderer : IDicomRenderer
    {
        public SemaphoreSlim Entered { get; } = new(0);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentBag<string> Paths { get; } = [];
        public ConcurrentBag<UnixFileMode> Modes { get; } = [];

        public async Task<RenderedImage> RenderAsync(string path, RenderRequest request, CancellationToken cancellationToken = default)
        {
            Paths.Add(path);
            Modes.Add(OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(path));
            var content = await File.ReadAllBytesAsync(path, CancellationToken.None);
            Entered.Release();
            await Release.Task; // deliberately deaf to cancellation: only the gate's wait may be cancelled
            return new RenderedImage(content, request.MediaType, 1, 1);
        }
    }

    private sealed class FailingRenderer : IDicomRenderer
    {
        public ConcurrentBag<string> Paths { get; } = [];

        public Task<RenderedImage> RenderAsync(string path, RenderRequest request, CancellationToken cancellationToken = default)
        {
            Paths.Add(path);
            throw new DicomRenderException(DicomRenderFailure.DecodeFailed, "The object cannot be decoded: corrupt.");
        }
    }
}
