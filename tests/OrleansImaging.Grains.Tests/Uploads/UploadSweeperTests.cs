using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Uploads;
using OrleansImaging.Grains.Storage;
using OrleansImaging.Grains.Tests.Cluster;
using OrleansImaging.Grains.Uploads;
using OrleansImaging.Silo;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Uploads;

/// <summary>
/// The sweep of uploads that expired with nobody asking about them again: their chunk blobs and the upload go, live
/// uploads stay. Uploads expire by a fake clock moved on by days; the silo keeps real time.
/// </summary>
public sealed class UploadSweeperTests : IAsyncLifetime
{
    private static readonly string Sha = new('a', 64);
    private readonly string _data = Directory.CreateTempSubdirectory("oi-sweeper-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private InProcessTestCluster _cluster = null!;

    private IServiceProvider Silo => _cluster.GetSiloServiceProvider();

    private UploadSweeper Sweeper => Silo.GetRequiredService<UploadSweeper>();

    private IBlobStore Blobs => Silo.GetRequiredService<IBlobStore>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ImagingClusterFixture.ServiceId;
        builder.ConfigureSilo((_, silo) =>
        {
            // Registered before AddImagingGrains, which only adds the defaults when none is there.
            silo.Services.AddSingleton(new UploadOptions { Clock = _clock, FirstSweepDelay = TimeSpan.FromDays(365) });
            silo.AddImagingGrains(new ImagingSiloOptions { DataDirectory = _data, ServiceId = ImagingClusterFixture.ServiceId });
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ExpiredUnclaimedUpload_ItsChunkBlobsAndTheUploadAreRemoved()
    {
        var (grain, blobKeys) = await CreateWithChunksAsync(TenantA, chunks: 2);
        Assert.All(blobKeys, key => Assert.True(Blobs.ExistsAsync(key).Result, key));

        _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Sweeper.SweepOnceAsync(CancellationToken.None));

        foreach (var key in blobKeys)
            Assert.False(await Blobs.ExistsAsync(key), $"chunk {key} was left behind");
        using (CallerContext.Use(Doctor()))
            await Assert.ThrowsAsync<NotFoundException>(() => grain.GetAsync());
        var registry = Silo.GetRequiredService<IUploadRegistry>();
        Assert.Empty(await registry.DueAsync(_clock.GetUtcNow() + TimeSpan.FromDays(1000), 10));
        Assert.Equal(0, await Sweeper.SweepOnceAsync(CancellationToken.None)); // nothing left to do
    }

    [Fact]
    public async Task UploadThatReceivedAChunkSince_IsKept_AndSweptOnlyOnceItsNewExpiryPassed()
    {
        var (grain, blobKeys) = await CreateWithChunksAsync(TenantA, chunks: 1);
        _clock.Advance(TimeSpan.FromDays(6));
        using (CallerContext.Use(Doctor()))
        {
            var lease = await grain.BeginChunkAsync(10);
            await WriteChunkAsync(lease.BlobKey);
            blobKeys.Add(lease.BlobKey);
            await grain.CommitChunkAsync(lease.LeaseId, 10);
        }

        _clock.Advance(TimeSpan.FromDays(2)); // 8 days after creation, 2 after the last chunk
        Assert.Equal(0, await Sweeper.SweepOnceAsync(CancellationToken.None));
        using (CallerContext.Use(Doctor()))
            Assert.Equal(20, (await grain.GetAsync()).Offset);
        Assert.All(blobKeys, key => Assert.True(Blobs.ExistsAsync(key).Result, key));

        _clock.Advance(TimeSpan.FromDays(5) + TimeSpan.FromMinutes(1)); // 7 days after the last chunk
        Assert.Equal(1, await Sweeper.SweepOnceAsync(CancellationToken.None));
        foreach (var key in blobKeys)
            Assert.False(await Blobs.ExistsAsync(key), $"chunk {key} was left behind");
    }

    [Fact]
    public async Task TerminatedUpload_LeavesNothingForTheSweeper_AndOtherTenantsUploadsAreSweptToo()
    {
        var (terminated, _) = await CreateWithChunksAsync(TenantA, chunks: 1);
        using (CallerContext.Use(Doctor()))
            await terminated.DeleteAsync();
        var (other, otherKeys) = await CreateWithChunksAsync(TenantB, chunks: 1);

        _clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, await Sweeper.SweepOnceAsync(CancellationToken.None)); // tenant B's; tenant A's was already gone
        Assert.False(await Blobs.ExistsAsync(otherKeys[0]));
        using (CallerContext.Use(Doctor(TenantB)))
            await Assert.ThrowsAsync<NotFoundException>(() => other.GetAsync());
    }

    [Fact]
    public async Task SweeperMethods_RefuseEveryCallerButTheSilo_S3_2()
    {
        var (grain, blobKeys) = await CreateWithChunksAsync(TenantA, chunks: 1);
        _clock.Advance(TimeSpan.FromDays(8));
        foreach (var caller in new[] { Doctor(), Admin(), Operator(), Doctor(TenantB) })
        {
            using var _ = CallerContext.Use(caller);
            await Assert.ThrowsAsync<NotFoundException>(() => grain.GetExpiryAsync());
            await Assert.ThrowsAsync<NotFoundException>(() => grain.RemoveExpiredAsync());
        }
        Assert.True(await Blobs.ExistsAsync(blobKeys[0]));
        using (CallerContext.Use(new Caller(CallerKind.System, "upload-sweeper", TenantA, CallerRole.None, [])))
        {
            var expiry = await grain.GetExpiryAsync();
            Assert.True(expiry.Exists);
            Assert.True(expiry.Expired);
            Assert.Equal(blobKeys, expiry.Chunks.Select(c => c.BlobKey));
        }
    }

    private async Task<(IUploadGrain Grain, List<string> BlobKeys)> CreateWithChunksAsync(string tenant, int chunks)
    {
        var grain = _cluster.Client.GetGrain<IUploadGrain>(GrainKeys.Upload(tenant, Guid.NewGuid().ToString("N")));
        var keys = new List<string>();
        using var _ = CallerContext.Use(Doctor(tenant));
        await grain.CreateAsync(new NewUpload(100, Sha, "application/dicom", null, "a.dcm"));
        for (var i = 0; i < chunks; i++)
        {
            var lease = await grain.BeginChunkAsync(i * 10);
            await WriteChunkAsync(lease.BlobKey);
            keys.Add(lease.BlobKey);
            await grain.CommitChunkAsync(lease.LeaseId, 10);
        }
        return (grain, keys);
    }

    private async Task WriteChunkAsync(string key)
    {
        using var content = new MemoryStream(new byte[10]);
        await Blobs.PutAsync(key, content);
    }
}
