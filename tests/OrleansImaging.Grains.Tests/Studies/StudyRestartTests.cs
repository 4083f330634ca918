using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Grains.Studies;
using OrleansImaging.Grains.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Studies;

/// <summary>Each test runs its own cluster on its own files, since it stops and restarts it.</summary>
public sealed class StudyRestartTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("oi-restart-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task StudyState_SiloRestartedOnSameFiles_CatalogueAndStateIntact()
    {
        var studyUid = TestInstances.NewStudyUid();
        var key = GrainKeys.Study(TenantA, studyUid);
        var series = studyUid + ".1";
        var instances = Enumerable.Range(1, 5).Select(n => TestInstances.Make(TenantA, studyUid, series, n)).ToList();
        StudySummary before;
        byte[] metadataBefore;
        await using (var first = await ImagingClusterFixture.StartAsync(_dataDirectory))
        {
            using var _ = CallerContext.Use(Doctor());
            await first.Client.GetGrain<IStudyGrain>(key).AddInstancesAsync(instances[..3]);
            await first.Client.GetGrain<IStudyGrain>(key).AddInstancesAsync(instances[3..]);
            before = await first.Client.GetGrain<IStudyGrain>(key).GetSummaryAsync();
            metadataBefore = await first.Client.GetGrain<IStudyGrain>(key).GetMetadataAsync();
            await first.StopAllSilosAsync();
        }

        await using var second = await ImagingClusterFixture.StartAsync(_dataDirectory);
        using var __ = CallerContext.Use(Doctor());
        var study = second.Client.GetGrain<IStudyGrain>(key);

        Assert.Equal(before, await study.GetSummaryAsync());
        Assert.Equal(5, before.InstanceCount);
        Assert.Equal(metadataBefore, await study.GetMetadataAsync());
        Assert.Equal(instances.Select(i => i.SopInstanceUid), (await study.GetInstancesAsync()).Select(i => i.SopInstanceUid));
        // The restarted grain still knows what it has: a resend is AlreadyStored and writes nothing.
        Assert.All(await study.AddInstancesAsync(instances), o => Assert.Equal(InstanceStatus.AlreadyStored, o.Status));
        Assert.Equal(5, (await study.GetSummaryAsync()).InstanceCount);
    }

    [Fact]
    public async Task GrainStorage_StaleVersion_InconsistentStateException()
    {
        // Our own SQL implements Orleans' optimistic concurrency: a write naming a version that is no longer the
        // stored one (or inserting a row that exists) must fail, not overwrite.
        await using var cluster = await ImagingClusterFixture.StartAsync(_dataDirectory);
        var storage = cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(StorageNames.Provider);
        var grainId = GrainId.Create("test", "hospital-a/1.2.3");
        var writer = new GrainState<StudyState>(new StudyState { InstanceCount = 1 });
        await storage.WriteStateAsync("etag-test", grainId, writer);
        var stale = new GrainState<StudyState>(new StudyState { InstanceCount = 7 });
        await storage.ReadStateAsync("etag-test", grainId, stale);
        Assert.Equal(1, stale.State!.InstanceCount);
        Assert.True(stale.RecordExists);

        writer.State = new StudyState { InstanceCount = 2 };
        await storage.WriteStateAsync("etag-test", grainId, writer); // the first writer moves on
        stale.State = new StudyState { InstanceCount = 99 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("etag-test", grainId, stale));
        var secondInsert = new GrainState<StudyState>(new StudyState { InstanceCount = 3 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("etag-test", grainId, secondInsert));

        var reread = new GrainState<StudyState>(new StudyState());
        await storage.ReadStateAsync("etag-test", grainId, reread);
        Assert.Equal(2, reread.State!.InstanceCount);

        await storage.ClearStateAsync("etag-test", grainId, reread);
        var cleared = new GrainState<StudyState>(new StudyState());
        await storage.ReadStateAsync("etag-test", grainId, cleared);
        Assert.Equal(0, cleared.State?.InstanceCount ?? 0);
    }
}
