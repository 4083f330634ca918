using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Studies;

[Collection(ImagingClusterCollection.Name)]
public sealed class StudyGrainTests(ImagingClusterFixture fixture)
{
    private IStudyGrain Study(string tenant, string study) => fixture.Client.GetGrain<IStudyGrain>(GrainKeys.Study(tenant, study));

    [Fact]
    public async Task AddInstancesAsync_SameInstanceTwice_AlreadyStoredAndRecordedOnce()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var instance = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1);

        var first = await Study(TenantA, studyUid).AddInstancesAsync([instance]);
        var second = await Study(TenantA, studyUid).AddInstancesAsync([instance]);

        Assert.Equal(new InstanceOutcome(instance.SopInstanceUid, InstanceStatus.Stored), Assert.Single(first));
        Assert.Equal(new InstanceOutcome(instance.SopInstanceUid, InstanceStatus.AlreadyStored), Assert.Single(second));
        Assert.True(second[0].IsSuccess);
        Assert.Equal(1, CatalogueRows(TenantA, studyUid));
        Assert.Equal(1, (await Study(TenantA, studyUid).GetSummaryAsync()).InstanceCount);
    }

    [Fact]
    public async Task AddInstancesAsync_SameInstanceTwiceInOneBatch_StoredThenAlreadyStored()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var instance = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1);

        var outcomes = await Study(TenantA, studyUid).AddInstancesAsync([instance, instance]);

        Assert.Equal([InstanceStatus.Stored, InstanceStatus.AlreadyStored], outcomes.Select(o => o.Status));
        Assert.Equal(1, CatalogueRows(TenantA, studyUid));
    }

    [Fact]
    public async Task AddInstancesAsync_SameSopDifferentHash_ConflictAndOriginalKept()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var original = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1, contentSeed: 0);
        var changed = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1, contentSeed: 1);
        await Study(TenantA, studyUid).AddInstancesAsync([original]);

        var outcome = Assert.Single(await Study(TenantA, studyUid).AddInstancesAsync([changed]));

        Assert.Equal(InstanceStatus.Conflict, outcome.Status);
        Assert.False(outcome.IsSuccess);
        Assert.NotNull(outcome.Reason);
        var stored = await Study(TenantA, studyUid).GetInstanceAsync(original.SeriesInstanceUid, original.SopInstanceUid);
        Assert.Equal(original.Sha256, stored.Sha256);
        Assert.Equal(1, CatalogueRows(TenantA, studyUid));
    }

    [Fact]
    public async Task AddInstancesAsync_MixedBatch_OneOutcomePerInstanceInOrder()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var series = studyUid + ".1";
        var good = TestInstances.Make(TenantA, studyUid, series, 1);
        var badUid = TestInstances.Make(TenantA, studyUid, series, 2) with { SopInstanceUid = "1.02.3" };
        var otherStudysBlob = TestInstances.Make(TenantA, studyUid, series, 3) with { BlobKey = $"{TenantB}/{studyUid}/x" };
        var badHash = TestInstances.Make(TenantA, studyUid, series, 4) with { Sha256 = "ABC" };

        var outcomes = await Study(TenantA, studyUid).AddInstancesAsync([good, badUid, otherStudysBlob, badHash]);

        Assert.Equal([InstanceStatus.Stored, InstanceStatus.Refused, InstanceStatus.Refused, InstanceStatus.Refused], outcomes.Select(o => o.Status));
        Assert.Equal(good.SopInstanceUid, outcomes[0].SopInstanceUid);
        Assert.Equal("The blob key is not under the study's prefix.", outcomes[2].Reason);
        Assert.Equal(1, CatalogueRows(TenantA, studyUid));
    }

    [Fact] // S3.2, S7.4: another hospital's doctor gets "not found", exactly as for a study that does not exist
    public async Task Reads_OtherTenantCaller_NotFound_S3_2()
    {
        var studyUid = TestInstances.NewStudyUid();
        var instance = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1);
        using (CallerContext.Use(Doctor(TenantA)))
        {
            await Study(TenantA, studyUid).AddInstancesAsync([instance]);
        }

        using var _ = CallerContext.Use(Doctor(TenantB));
        var study = Study(TenantA, studyUid);
        var existing = await Assert.ThrowsAsync<NotFoundException>(() => study.GetMetadataAsync());
        await Assert.ThrowsAsync<NotFoundException>(() => study.GetInstanceAsync(instance.SeriesInstanceUid, instance.SopInstanceUid));
        await Assert.ThrowsAsync<NotFoundException>(() => study.GetInstancesAsync());
        await Assert.ThrowsAsync<NotFoundException>(() => study.GetSeriesAsync());
        await Assert.ThrowsAsync<NotFoundException>(() => study.GetSummaryAsync());
        var write = await Assert.ThrowsAsync<NotFoundException>(() => study.AddInstancesAsync([instance with { Sha256 = new string('0', 64) }]));
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => Study(TenantA, TestInstances.NewStudyUid()).GetMetadataAsync());
        Assert.Equal(missing.Message, existing.Message);
        Assert.Equal(ErrorCodes.NotFound, write.Code);
    }

    [Fact] // S3.1: a read-only token of the same hospital cannot store
    public async Task AddInstancesAsync_ReadOnlyToken_Forbidden_S3_1()
    {
        var studyUid = TestInstances.NewStudyUid();
        using var _ = CallerContext.Use(ReadOnlyToken(TenantA));

        var ex = await Assert.ThrowsAsync<ForbiddenException>(() =>
            Study(TenantA, studyUid).AddInstancesAsync([TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1)]));

        Assert.Equal(ErrorCodes.Forbidden, ex.Code);
        Assert.Equal(0, CatalogueRows(TenantA, studyUid));
    }

    [Fact] // S7.2: no caller, no call
    public async Task AnyMethod_NoCaller_RefusedByFilter_S7_2()
    {
        CallerContext.Clear();
        var studyUid = TestInstances.NewStudyUid();

        await Assert.ThrowsAsync<UnauthenticatedCallException>(() =>
            Study(TenantA, studyUid).AddInstancesAsync([TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1)]));
        await Assert.ThrowsAsync<UnauthenticatedCallException>(() => Study(TenantA, studyUid).GetMetadataAsync());

        Assert.Equal(0, CatalogueRows(TenantA, studyUid));
    }

    [Fact]
    public async Task GetMetadataAsync_TwoSeries_JsonArrayInStoredOrder()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var s1 = studyUid + ".1";
        var s2 = studyUid + ".2";
        await Study(TenantA, studyUid).AddInstancesAsync([TestInstances.Make(TenantA, studyUid, s1, 1), TestInstances.Make(TenantA, studyUid, s2, 1)]);
        await Study(TenantA, studyUid).AddInstancesAsync([TestInstances.Make(TenantA, studyUid, s1, 2)]);

        using var all = JsonDocument.Parse(await Study(TenantA, studyUid).GetMetadataAsync());
        using var first = JsonDocument.Parse(await Study(TenantA, studyUid).GetMetadataAsync(s1));

        Assert.Equal([$"{s1}.1", $"{s2}.1", $"{s1}.2"], all.RootElement.EnumerateArray().Select(Sop));
        Assert.Equal([$"{s1}.1", $"{s1}.2"], first.RootElement.EnumerateArray().Select(Sop));
        Assert.Equal([new SeriesSummary(s1, 2, 2 * 512 * 1024 + 3), new SeriesSummary(s2, 1, 512 * 1024 + 1)],
            await Study(TenantA, studyUid).GetSeriesAsync());
        await Assert.ThrowsAsync<NotFoundException>(() => Study(TenantA, studyUid).GetMetadataAsync(studyUid + ".3"));

        static string Sop(JsonElement e) => e.GetProperty("00080018").GetProperty("Value")[0].GetString()!;
    }

    [Fact]
    public async Task GetInstanceAsync_WrongSeries_NotFound()
    {
        using var _ = CallerContext.Use(Doctor());
        var studyUid = TestInstances.NewStudyUid();
        var instance = TestInstances.Make(TenantA, studyUid, studyUid + ".1", 1);
        await Study(TenantA, studyUid).AddInstancesAsync([instance]);

        var found = await Study(TenantA, studyUid).GetInstanceAsync(instance.SeriesInstanceUid, instance.SopInstanceUid);

        Assert.Equal(new InstanceLocation(instance.SeriesInstanceUid, instance.SopInstanceUid, instance.SopClassUid,
            instance.TransferSyntaxUid, instance.BlobKey, instance.Size, instance.Sha256), found);
        await Assert.ThrowsAsync<NotFoundException>(() => Study(TenantA, studyUid).GetInstanceAsync(studyUid + ".9", instance.SopInstanceUid));
    }

    private int CatalogueRows(string tenant, string study)
    {
        using var connection = new SqliteConnection($"Data Source={fixture.SiloOptions.CatalogueDatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM StudyInstances WHERE TenantId = $t AND StudyInstanceUid = $s";
        command.Parameters.AddWithValue("$t", tenant);
        command.Parameters.AddWithValue("$s", study);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
